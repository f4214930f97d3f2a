package io.framegate.provider;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

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
    static StorageConfig parse(JsonNode node, Function<String, String> env, List<String> problems) {
        if (node.isMissingNode() || node.isNull()) return LOCAL;
        if (!node.isObject()) {
            problems.add("storage: must be a mapping with type (local or s3), endpoint, bucket, ...");
            return LOCAL;
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!KEYS.contains(k)) problems.add("storage." + k + ": unknown key; known: " + String.join(", ", KEYS.stream().sorted().toList()));
        }
        String type = text(node, "type", "local");
        if ("local".equals(type)) {
            if (node.size() > 1) problems.add("storage: type local takes no other keys (they belong to type s3)");
            return LOCAL;
        }
        if (!"s3".equals(type)) {
            problems.add("storage.type: " + type + " is not one of local, s3");
            return LOCAL;
        }
        String endpoint = text(node, "endpoint", null);
        if (endpoint != null && !endpoint.matches("(?i)https?://[^\\s/]+(/.*)?")) {
            problems.add("storage.endpoint: " + endpoint + " is not an http(s) URL");
        }
        String bucket = text(node, "bucket", null);
        if (bucket == null) problems.add("storage.bucket: missing; the bucket that holds inputs and results");
        else if (!bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            problems.add("storage.bucket: " + bucket + " is not a valid bucket name (3-63 of a-z 0-9 . -)");
        }
        String region = text(node, "region", "us-east-1");
        String prefix = text(node, "prefix", "");
        if (!prefix.isEmpty() && !prefix.endsWith("/")) prefix = prefix + "/";
        if (prefix.startsWith("/")) problems.add("storage.prefix: " + prefix + " must not start with /");
        JsonNode ps = node.get("path_style");
        if (ps != null && !ps.isBoolean()) problems.add("storage.path_style: " + ps + " must be true or false");
        boolean pathStyle = ps != null && ps.asBoolean();
        String downloads = text(node, "downloads", "proxy");
        if (!Set.of("proxy", "redirect").contains(downloads)) {
            problems.add("storage.downloads: " + downloads + " is not one of proxy, redirect");
        }
        Secret access = credential(node, "access_key_env", env, problems);
        Secret secret = credential(node, "secret_key_env", env, problems);
        if (node.has("access_key_env") != node.has("secret_key_env")) {
            problems.add("storage: give both access_key_env and secret_key_env, or neither (the SDK's default chain)");
        }
        return new StorageConfig("s3", endpoint, bucket, region, prefix, pathStyle, access, secret, downloads);
    }

    private static Secret credential(JsonNode node, String key, Function<String, String> env, List<String> problems) {
        String var = text(node, key, null);
        if (var == null) return null;
        String v = env.apply(var);
        if (v == null || v.isBlank()) {
            problems.add("storage." + key + ": environment variable " + var + " is not set");
            return null;
        }
        return new Secret(v, "env " + var);
    }

    private static String text(JsonNode node, String key, String dflt) {
        JsonNode v = node.get(key);
        return v == null || v.isNull() || v.asText().isBlank() ? dflt : v.asText().strip();
    }
}
