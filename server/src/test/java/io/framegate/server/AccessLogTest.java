package io.framegate.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AccessLogTest {
    @TempDir
    Path dir;

    @Test
    void everySpellingOfTheKeyParameterIsRedacted() {
        assertThat(AccessLog.redactKey("key=abc")).isEqualTo("key=REDACTED");
        assertThat(AccessLog.redactKey("alt=media&key=abc&key=def")).isEqualTo("alt=media&key=REDACTED&key=REDACTED");
        assertThat(AccessLog.redactKey("%6Bey=abc&KEY=def&kE%59=ghi")).doesNotContain("abc", "def", "ghi");
        assertThat(AccessLog.redactKey("%256Bey=abc;key=def")).doesNotContain("abc", "def");
        assertThat(AccessLog.redactKey("k%zzey=abc")).doesNotContain("abc"); // undecodable names are redacted too
        assertThat(AccessLog.redactKey("monkey=1&keys=2&key")).isEqualTo("monkey=1&keys=2&key");
    }

    /**
     * Percent-decoding stops after 3 passes, so a part nested deeper costs the same few passes on every request:
     * a part still holding escapes then is redacted whole when it holds "fg" in any case or could be decoded further
     * (a key encoded byte by byte shows no "fg"), however deep, and a key's parameter name nested deeper is taken
     * for a key's. Shallower parts are read as before.
     */
    @Test
    void aPartEncodedDeeperThanThreePassesIsRedactedWholeWithoutDecodingItFully() {
        String key = "fg-" + "A1b2C3d4E5f6G7h8I9j0";
        String fiveTimes = key;
        for (int i = 0; i < 5; i++) fiveTimes = percentEncodeEveryByte(fiveTimes);
        assertThat(ApiKeyRedactor.redact("/v1/videos/" + fiveTimes + "/content")).isEqualTo("/v1/videos/REDACTED/content");
        // nested 4 deep, the text after 3 passes still holds an escape and an "FG": redacted without decoding on
        // (fully decoded it is "AFG", no key: decoding until nothing changed kept it, at n passes for n levels)
        assertThat(ApiKeyRedactor.redact("/v1/videos/%252525252541FG")).isEqualTo("/v1/videos/REDACTED");
        assertThat(ApiKeyRedactor.redact("/v1/videos/" + "%" + "25".repeat(4000) + "41fg")).isEqualTo("/v1/videos/REDACTED");
        assertThat(ApiKeyRedactor.redact("/v1/videos/" + "%" + "25".repeat(4000) + "41")).isEqualTo("/v1/videos/REDACTED");
        assertThat(AccessLog.redactKey("%25252525256Bey=abc&x=1")).isEqualTo("%25252525256Bey=REDACTED&x=1");
        // up to 3 passes, as before: what is no key is kept, a key is found
        assertThat(ApiKeyRedactor.redact("/v1/videos/%252541FG%20x")).isEqualTo("/v1/videos/%252541FG%20x");
        assertThat(ApiKeyRedactor.redact("/v1/videos/100%25zz")).isEqualTo("/v1/videos/100%25zz");
        String thrice = percentEncodeEveryByte(percentEncodeEveryByte(percentEncodeEveryByte(key)));
        assertThat(ApiKeyRedactor.redact("/v1/videos/" + thrice)).isEqualTo("/v1/videos/REDACTED");
        assertThat(ApiKeyRedactor.redact("/v1/videos/" + key + ":download")).isEqualTo("/v1/videos/REDACTED:download");
    }

    /**
     * A client may put its API key anywhere in a URL: as a path segment, as a query parameter's name or as the value
     * of a parameter other than {@code key}, percent-encoded once or twice. Over real HTTP, no logged path or query
     * holds the secret in any spelling, and what is not a key is logged as it came.
     */
    @Test
    void anApiKeyAnywhereInThePathQueryOrUserAgentIsRedacted() throws Exception {
        ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
        List<String> paths = new ArrayList<>();
        String secret;
        try (FramegateServer server = FramegateServer.builder(ServerCoreTest.options(dir,
                        new PrintStream(logBytes, true, StandardCharsets.UTF_8)))
                .backend("local", new TinyVideoBackend("local", true, 0)).build().start()) {
            secret = server.keys().create("app").secret();
            String encoded = percentEncodeEveryByte(secret);
            paths.add("/v1/videos/" + secret);
            paths.add("/v1/videos/" + encoded + "/content");
            paths.add("/v1beta/files/" + secret + ":download?alt=media");
            paths.add("/v1beta/models?" + secret);
            paths.add("/healthz?" + secret + "=1&token=" + secret + "&auth=Bearer%20" + secret);
            paths.add("/healthz?x=" + encoded.replace("%", "%25") + "&" + encoded);
            paths.add("/v1/videos/video_123?limit=5");
            HttpClient http = HttpClient.newHttpClient();
            for (String p : paths) {
                http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + p))
                        .header("Authorization", "Bearer " + secret).header("User-Agent", "app/1.0 (" + secret + ")")
                        .build(), HttpResponse.BodyHandlers.discarding());
            }
        }
        String randomPart = secret.substring("fg-".length());
        List<JsonNode> lines = new ArrayList<>();
        for (String line : logBytes.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) lines.add(new ObjectMapper().readTree(line));
        }
        assertThat(lines).hasSize(paths.size());
        for (JsonNode line : lines) {
            String logged = line.path("path").asText() + "?" + line.path("query").asText();
            assertThat(decodedFully(logged)).as(logged).doesNotContain(randomPart.substring(0, 12))
                    .doesNotContain(randomPart.substring(randomPart.length() - 12));
            assertThat(line.path("user_agent").asText()).isEqualTo("app/1.0 (REDACTED)");
        }
        assertThat(lines.get(0).path("path").asText()).isEqualTo("/v1/videos/REDACTED");
        assertThat(lines.get(2).path("path").asText()).isEqualTo("/v1beta/files/REDACTED:download");
        assertThat(lines.get(2).path("query").asText()).isEqualTo("alt=media");
        assertThat(lines.get(4).path("query").asText()).isEqualTo("REDACTED=1&token=REDACTED&auth=REDACTED");
        assertThat(lines.get(6).path("path").asText()).isEqualTo("/v1/videos/video_123");
        assertThat(lines.get(6).path("query").asText()).isEqualTo("limit=5");
    }

    /**
     * docs/admin.md, Logs: the access log is one JSON object per request and line with {@code ts}, {@code method},
     * {@code path}, {@code query}, {@code status}, {@code ms}, {@code remote}, {@code request_id} (the one the answer
     * carries in {@code x-request-id}), {@code key_id} (the key's id, never its secret), {@code bytes} (the body sent)
     * and {@code user_agent}. Over real HTTP: a listing with a key and a refused request without one.
     */
    @Test
    void eachRequestIsOneJsonLineWithItsRequestIdKeyIdStatusAndBodySize() throws Exception {
        ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
        String secret;
        String keyId;
        HttpResponse<byte[]> listed;
        HttpResponse<byte[]> refused;
        try (FramegateServer server = FramegateServer.builder(ServerCoreTest.options(dir,
                        new PrintStream(logBytes, true, StandardCharsets.UTF_8)))
                .backend("local", new TinyVideoBackend("local", true, 0)).build().start()) {
            secret = server.keys().create("app").secret();
            keyId = server.keys().find(secret).orElseThrow().id();
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + server.port();
            listed = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/videos?limit=5"))
                    .header("Authorization", "Bearer " + secret).header("User-Agent", "app/2.0").build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            refused = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/videos")).header("User-Agent", "anon/1.0")
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
        }
        assertThat(listed.statusCode()).isEqualTo(200);
        assertThat(refused.statusCode()).isEqualTo(401);
        List<JsonNode> lines = new ArrayList<>();
        for (String line : logBytes.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) lines.add(new ObjectMapper().readTree(line));
        }
        assertThat(lines).as("one line per request").hasSize(2);

        JsonNode ok = lines.get(0);
        assertThat(ok.path("ts").asText()).matches("\\d{4}-\\d{2}-\\d{2}T.*Z");
        assertThat(ok.path("method").asText()).isEqualTo("GET");
        assertThat(ok.path("path").asText()).isEqualTo("/v1/videos");
        assertThat(ok.path("query").asText()).isEqualTo("limit=5");
        assertThat(ok.path("status").asInt()).isEqualTo(200);
        assertThat(ok.path("ms").isNumber()).as(ok.toString()).isTrue();
        assertThat(ok.path("remote").asText()).isEqualTo("127.0.0.1");
        assertThat(ok.path("request_id").asText()).isNotEmpty().isEqualTo(listed.headers().firstValue("x-request-id").orElseThrow());
        assertThat(ok.path("key_id").asText()).isEqualTo(keyId);
        assertThat(ok.path("bytes").asLong()).isEqualTo(listed.body().length).isPositive();
        assertThat(ok.path("user_agent").asText()).isEqualTo("app/2.0");

        JsonNode no = lines.get(1);
        assertThat(no.path("status").asInt()).isEqualTo(401);
        assertThat(no.path("request_id").asText()).isEqualTo(refused.headers().firstValue("x-request-id").orElseThrow())
                .isNotEqualTo(ok.path("request_id").asText());
        assertThat(no.has("key_id")).as("no key, no key id: %s", no).isFalse();
        assertThat(no.path("bytes").asLong()).isEqualTo(refused.body().length);
        assertThat(no.path("user_agent").asText()).isEqualTo("anon/1.0");
        assertThat(logBytes.toString(StandardCharsets.UTF_8)).doesNotContain(secret.substring("fg-".length()));
    }

    private static String percentEncodeEveryByte(String s) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) out.append('%').append(HexFormat.of().withUpperCase().toHexDigits(b));
        return out.toString();
    }

    private static String decodedFully(String s) {
        for (int i = 0; i < 5; i++) s = URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        return s;
    }

    @Test
    void clientViewKeepsWhitelistedNotesAndStripsClassNamesAndPaths() {
        assertThat(ClientView.notes(java.util.Map.of("engine_mode", "x", "failover", "401 Bearer t", "retry", "r")))
                .containsOnlyKeys("engine_mode");
        assertThat(ClientView.errorMessage("java.io.UncheckedIOException: cannot open /var/lib/fg/work/x.png"))
                .isEqualTo("cannot open a file");
        assertThat(ClientView.errorMessage("IllegalStateException")).isEqualTo("the video could not be made");
        assertThat(ClientView.errorMessage("see https://example.com/a/b for help")).contains("https://example.com/a/b");
    }
}
