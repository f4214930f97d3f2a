package io.framegate.server.config;

import io.framegate.domain.ModelCatalog;
import io.framegate.provider.ConfigException;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code storage} section of framegate.yaml. */
class StorageSectionTest {
    private static final Map<String, String> ENV = Map.of("S3_KEY", "AKIAEXAMPLE", "S3_SECRET", "very-secret-value");

    private static ServerConfig parse(String yaml) {
        return ConfigFile.parse(yaml, "framegate.yaml", null, ModelCatalog.builtIn(), ENV::get);
    }

    @Test
    void localIsTheDefault() {
        assertThat(parse("default_route: local\n").storage()).isEqualTo(StorageConfig.LOCAL);
        assertThat(ServerConfig.defaults().storage().isS3()).isFalse();
        assertThat(parse("storage: {type: local}\n").storage()).isEqualTo(StorageConfig.LOCAL);
    }

    /** The example in docs/config.md loads as written and means what the page says. */
    @Test
    void documentedExampleLoads() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "config.md"));
        Matcher m = Pattern.compile("## Storage.*?```yaml\\n(.*?)```", Pattern.DOTALL).matcher(doc);
        assertThat(m.find()).isTrue();
        StorageConfig s = ConfigFile.parse(m.group(1), "framegate.yaml", null, ModelCatalog.builtIn(),
                Map.of("S3_ACCESS_KEY", "AKIAEXAMPLE", "S3_SECRET_KEY", "very-secret-value")::get).storage();
        assertThat(s.isS3()).isTrue();
        assertThat(s.endpoint()).isEqualTo("http://127.0.0.1:9000");
        assertThat(s.bucket()).isEqualTo("framegate");
        assertThat(s.prefix()).isEqualTo("prod/");
        assertThat(s.pathStyle()).isTrue();
        assertThat(s.redirectDownloads()).isTrue();
        assertThat(s.accessKey().reveal()).isEqualTo("AKIAEXAMPLE");
    }

    @Test
    void anS3SectionReadsItsCredentialsFromTheEnvironmentAndNeverShowsThem() {
        StorageConfig s = parse("""
                storage: {type: s3, endpoint: "https://s3.example.com", bucket: my-bucket, region: eu-west-1,
                          prefix: fg, path_style: false, access_key_env: S3_KEY, secret_key_env: S3_SECRET}
                """).storage();
        assertThat(s).isEqualTo(new StorageConfig("s3", "https://s3.example.com", "my-bucket", "eu-west-1", "fg/", false,
                s.accessKey(), s.secretKey(), "proxy"));
        assertThat(s.accessKey().reveal()).isEqualTo("AKIAEXAMPLE");
        assertThat(s.secretKey().reveal()).isEqualTo("very-secret-value");
        assertThat(s.toString()).doesNotContain("very-secret-value", "AKIAEXAMPLE");
        // without credentials the SDK's default chain (instance role, ~/.aws) applies
        StorageConfig chain = parse("storage: {type: s3, bucket: my-bucket}\n").storage();
        assertThat(chain.accessKey()).isNull();
        assertThat(chain.region()).isEqualTo("us-east-1");
        assertThat(chain.endpoint()).isNull();
    }

    @Test
    void everyBadValueIsNamedAtOnce() {
        assertThatThrownBy(() -> parse("""
                storage: {type: s3, endpoint: "ftp://x", bucket: Bad_Bucket, path_style: yes please, downloads: stream,
                          access_key_env: NOT_SET, secret_key_env: S3_SECRET, colour: blue}
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("storage.endpoint: ftp://x is not an http(s) URL")
                .hasMessageContaining("storage.bucket: Bad_Bucket is not a valid bucket name")
                .hasMessageContaining("storage.path_style: \"yes please\" must be true or false")
                .hasMessageContaining("storage.downloads: stream is not one of proxy, redirect")
                .hasMessageContaining("storage.access_key_env: environment variable NOT_SET is not set")
                .hasMessageContaining("storage.colour: unknown key")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("very-secret-value"));
        assertThatThrownBy(() -> parse("storage: {type: gcs}\n")).hasMessageContaining("storage.type: gcs is not one of local, s3");
        assertThatThrownBy(() -> parse("storage: {type: s3}\n")).hasMessageContaining("storage.bucket: missing");
        assertThatThrownBy(() -> parse("storage: {type: s3, bucket: b-1, access_key_env: S3_KEY}\n"))
                .hasMessageContaining("give both access_key_env and secret_key_env");
        assertThatThrownBy(() -> parse("storage: {type: local, bucket: b-1}\n")).hasMessageContaining("type local takes no other keys");
        assertThatThrownBy(() -> parse("storage: s3\n")).hasMessageContaining("storage: must be a mapping");
    }
}
