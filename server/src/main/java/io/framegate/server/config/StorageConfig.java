package io.framegate.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.framegate.provider.ConfigSection;
import io.framegate.provider.Secret;

import java.util.Set;

/**
 * The {@code storage} section of {@code framegate.yaml}: where jobs' inputs and results are kept. {@code local} (the
 * default) is the data directory's {@code files/}; {@code s3} is a bucket of any S3-compatible service, shared by
 * every instance.
 *
 * @param endpoint  the service's URL ({@code https://s3.eu-west-1.amazonaws.com}, {@code http://minio:9000}); null
 *                  for AWS's default endpoint of {@code region}
 * @param prefix    key prefix inside the bucket ({@code ""} or ending in {@code /})
 * @param pathStyle {@code http://endpoint/bucket/key} instead of {@code http://bucket.endpoint/key} (MinIO, s3proxy)
 * @param downloads {@code proxy}: the server streams the object (with Range); {@code redirect}: 302 to a presigned URL
 */
public record StorageConfig(String type, String endpoint, String bucket, String region, String prefix,
                            boolean pathStyle, Secret accessKey, Secret secretKey, String downloads) {
    public static final StorageConfig LOCAL = new StorageConfig("local", null, null, null, "", false, null, null, "proxy");
    private static final Set<String> KEYS = Set.of("type", "endpoint", "bucket", "region", "prefix", "path_style",
            "access_key_env", "secret_key_env", "downloads");

    public boolean isS3() {
        return "s3".equals(type);
    }

    public boolean redirectDownloads() {
        return "redirect".equals(downloads);
    }

    @Override
    public String toString() {
        return isS3() ? "Storage[s3 " + endpoint + " bucket " + bucket + " prefix " + prefix + ", " + downloads + "]"
                : "Storage[local]";
    }

    /** Reads the section; each problem names its field. Credentials come from the named environment variables. */
    static StorageConfig read(ConfigSection s) {
        if (!s.mapping("type (local or s3), endpoint, bucket, ...", KEYS)) return LOCAL;
        String type = s.text("type", "local");
        if ("local".equals(type)) {
            if (s.node().size() > 1) s.problem("type local takes no other keys (they belong to type s3)");
            return LOCAL;
        }
        if (!"s3".equals(type)) {
            s.problem("type", type + " is not one of local, s3");
            return LOCAL;
        }
        String endpoint = s.text("endpoint", null);
        if (endpoint != null && !endpoint.matches("(?i)https?://[^\\s/]+(/.*)?")) {
            s.problem("endpoint", endpoint + " is not an http(s) URL");
        }
        String bucket = s.text("bucket", null);
        if (bucket == null) s.problem("bucket", "missing; the bucket that holds inputs and results");
        else if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            s.problem("bucket", bucket + " is not a valid bucket name (3-63 of a-z 0-9 . -)");
        }
        String region = s.text("region", "us-east-1");
        String prefix = s.text("prefix", "");
        if (!prefix.isEmpty() && !prefix.endsWith("/")) prefix = prefix + "/";
        if (prefix.startsWith("/")) s.problem("prefix", prefix + " must not start with /");
        JsonNode ps = s.node().get("path_style");
        if (ps != null && !ps.isBoolean()) s.problem("path_style", ps + " must be true or false");
        boolean pathStyle = ps != null && ps.asBoolean();
        String downloads = s.text("downloads", "proxy");
        if (!Set.of("proxy", "redirect").contains(downloads)) {
            s.problem("downloads", downloads + " is not one of proxy, redirect");
        }
        Secret access = s.envSecret("access_key_env");
        Secret secret = s.envSecret("secret_key_env");
        if (s.node().has("access_key_env") != s.node().has("secret_key_env")) {
            s.problem("give both access_key_env and secret_key_env, or neither (the SDK's default chain)");
        }
        return new StorageConfig("s3", endpoint, bucket, region, prefix, pathStyle, access, secret, downloads);
    }
}
