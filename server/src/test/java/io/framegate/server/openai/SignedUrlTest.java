package io.framegate.server.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.framegate.server.FramegateServer;
import io.framegate.server.ServerOptions;
import io.framegate.server.TestClock;
import io.framegate.server.TestImages;
import io.framegate.server.TinyVideoBackend;
import io.framegate.server.jobs.WorkerSettings;
import io.framegate.server.media.MediaFinisher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code video_url} and the previews' signed links: keyless, Range-capable, expiring, bound to one job and variant. */
class SignedUrlTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private final TestClock clock = new TestClock();
    private final ByteArrayOutputStream accessLog = new ByteArrayOutputStream();
    @TempDir
    Path dir;
    private FramegateServer server;
    private String base;
    private String keyA;
    private String keyB;

    @BeforeEach
    void start() throws Exception {
        ServerOptions options = ServerOptions.defaults(dir).withHost("127.0.0.1").withPort(0).withPollAfterMillis(250)
                .withAccessLog(new PrintStream(accessLog, true, StandardCharsets.UTF_8))
                .withWorkers(new WorkerSettings(1, 2, Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofSeconds(5)));
        server = FramegateServer.builder(options).surfaces(List.of(new OpenAiSurface(true)))
                .backend("local", new TinyVideoBackend("local", true, 0)).finisher(new MediaFinisher()).clock(clock)
                .build().start();
        keyA = server.keys().create("a").secret();
        keyB = server.keys().create("b").secret();
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<byte[]> get(String url, String key, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url.startsWith("http") ? url : base + url))
                .timeout(Duration.ofSeconds(60));
        if (key != null) b.header("Authorization", "Bearer " + key);
        if (headers.length > 0) b.headers(headers);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private JsonNode create(String key) throws Exception {
        String png = "data:image/png;base64," + Base64.getEncoder().encodeToString(TestImages.png(64, 36, Color.ORANGE));
        String body = "{\"model\":\"framegate-local\",\"seconds\":\"1\",\"size\":\"64x36\",\"frame_images\":[{\"image_url\":\""
                + png + "\",\"frame_type\":\"first_frame\"}]}";
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/videos"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private JsonNode completed(String key) throws Exception {
        String id = create(key).path("id").asText();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode v = JSON.readTree(get("/v1/videos/" + id, key).body());
            if (!v.path("status").asText().matches("queued|in_progress")) {
                assertThat(v.path("status").asText()).as(v.toString()).isEqualTo("completed");
                return v;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("video " + id + " did not finish");
    }

    private static void assertRefused(HttpResponse<byte[]> r, int status, String code) throws Exception {
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(status);
        JsonNode e = JSON.readTree(r.body()).path("error");
        assertThat(e.path("code").asText()).isEqualTo(code);
        assertThat(e.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(e.path("message").asText()).isNotBlank();
    }

    @Test
    void completedVideoCarriesAbsoluteSignedUrlsThatWorkWithoutAKeyAndServeRanges() throws Exception {
        JsonNode queued = create(keyA);
        assertThat(queued.path("video_url").isNull()).isTrue(); // not finished: no link yet
        // docs/openai-extension.md: the preview links too are null (present, not left out) until it is completed
        assertThat(queued.path("framegate").path("thumbnail_url").isNull()).as(queued.toString()).isTrue();
        assertThat(queued.path("framegate").path("spritesheet_url").isNull()).as(queued.toString()).isTrue();

        JsonNode v = completed(keyA);
        String videoUrl = v.path("video_url").asText();
        assertThat(videoUrl).startsWith(base + "/v1/videos/" + v.path("id").asText() + "/content/signed?")
                .contains("expires=").contains("signature=");
        byte[] withKey = get("/v1/videos/" + v.path("id").asText() + "/content", keyA).body();

        HttpResponse<byte[]> whole = get(videoUrl, null);
        assertThat(whole.statusCode()).isEqualTo(200);
        assertThat(whole.headers().firstValue("Content-Type")).hasValue("video/mp4");
        assertThat(whole.headers().firstValue("Accept-Ranges")).hasValue("bytes");
        assertThat(whole.body()).isEqualTo(withKey);

        HttpResponse<byte[]> part = get(videoUrl, null, "Range", "bytes=4-11");
        assertThat(part.statusCode()).isEqualTo(206);
        assertThat(part.headers().firstValue("Content-Range")).hasValue("bytes 4-11/" + withKey.length);
        assertThat(part.body()).isEqualTo(Arrays.copyOfRange(withKey, 4, 12));
        assertThat(new String(part.body(), 0, 4, StandardCharsets.US_ASCII)).isEqualTo("ftyp");

        HttpResponse<byte[]> thumb = get(v.path("framegate").path("thumbnail_url").asText(), null);
        assertThat(thumb.statusCode()).isEqualTo(200);
        assertThat(thumb.headers().firstValue("Content-Type")).hasValue("image/webp");
        assertThat(thumb.body()).isEqualTo(get("/v1/videos/" + v.path("id").asText() + "/content?variant=thumbnail", keyA).body());
        HttpResponse<byte[]> sheet = get(v.path("framegate").path("spritesheet_url").asText(), null);
        assertThat(sheet.statusCode()).isEqualTo(200);
        assertThat(sheet.headers().firstValue("Content-Type")).hasValue("image/jpeg");

        // the list answers the same links; the access log never holds a signature
        JsonNode list = JSON.readTree(get("/v1/videos", keyA).body());
        assertThat(list.path("data").get(0).path("video_url").asText()).isEqualTo(videoUrl);
        String log = accessLog.toString(StandardCharsets.UTF_8);
        assertThat(log).contains("/content/signed").contains("signature=REDACTED");
        assertThat(log).doesNotContain(videoUrl.substring(videoUrl.indexOf("signature=") + 10));
    }

    @Test
    void expiredUrlIsRefusedAndARetrieveGivesAFreshOne() throws Exception {
        JsonNode v = completed(keyA);
        String url = v.path("video_url").asText();
        long expires = Long.parseLong(url.replaceAll(".*expires=(\\d+).*", "$1"));
        long now = clock.instant().getEpochSecond();
        assertThat(expires - now).isBetween(3600L, 3600L + 600L);

        clock.advance(Duration.ofSeconds(expires - now + 1));
        HttpResponse<byte[]> r = get(url, null);
        assertRefused(r, 403, "signed_url_expired");
        assertThat(JSON.readTree(r.body()).path("error").path("param").asText()).isEqualTo("expires");

        String fresh = JSON.readTree(get("/v1/videos/" + v.path("id").asText(), keyA).body()).path("video_url").asText();
        assertThat(fresh).isNotEqualTo(url);
        assertThat(get(fresh, null).statusCode()).isEqualTo(200);
    }

    /**
     * config.md, retention: past its {@code expires_at} a video's content is gone (410 {@code video_expired}). Its
     * object then carries no links (a link could only be dead, and "retrieve again" would hand out the same one), the
     * {@code video.completed} event replayed by {@code /events} neither, and a link handed out before answers 410
     * {@code video_expired}, not "retrieve the video again".
     */
    @Test
    void anExpiredVideoCarriesNoLinksAndAnEarlierLinkAnswers410VideoExpired() throws Exception {
        JsonNode v = completed(keyA);
        String id = v.path("id").asText();
        String url = v.path("video_url").asText();
        String thumb = v.path("framegate").path("thumbnail_url").asText();
        assertThat(get(url, null).statusCode()).isEqualTo(200);

        clock.advance(Duration.ofSeconds(v.path("expires_at").asLong() - clock.instant().getEpochSecond() + 1));
        JsonNode expired = JSON.readTree(get("/v1/videos/" + id, keyA).body());
        assertThat(expired.path("status").asText()).isEqualTo("completed");
        assertThat(expired.path("expires_at").asLong()).isEqualTo(v.path("expires_at").asLong());
        assertThat(expired.path("video_url").isNull()).as(expired.toString()).isTrue();
        assertThat(expired.path("framegate").path("thumbnail_url").isNull()).as(expired.toString()).isTrue();
        assertThat(expired.path("framegate").path("spritesheet_url").isNull()).as(expired.toString()).isTrue();
        JsonNode listed = JSON.readTree(get("/v1/videos", keyA).body()).path("data").get(0);
        assertThat(listed.path("video_url").isNull()).as(listed.toString()).isTrue();

        HttpResponse<String> events = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/videos/" + id + "/events"))
                .header("Authorization", "Bearer " + keyA).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        String completedData = events.body().lines().filter(l -> l.startsWith("data: ")).reduce((a, b) -> b).orElseThrow();
        JsonNode replayed = JSON.readTree(completedData.substring("data: ".length()));
        assertThat(replayed.path("status").asText()).isEqualTo("completed");
        assertThat(replayed.path("video_url").isNull()).as(replayed.toString()).isTrue();
        assertThat(replayed.path("framegate").path("thumbnail_url").isNull()).as(replayed.toString()).isTrue();

        for (String link : List.of(url, thumb)) {
            HttpResponse<byte[]> r = get(link, null);
            assertRefused(r, 410, "video_expired");
            String message = JSON.readTree(r.body()).path("error").path("message").asText();
            assertThat(message).contains(id).contains("expired").doesNotContain("Retrieve the video again");
        }
        // a changed link is still refused for its signature, expired video or not
        String sig = url.substring(url.indexOf("signature=") + 10);
        assertRefused(get(url.replace(sig, (sig.charAt(0) == 'A' ? "B" : "A") + sig.substring(1)), null), 403,
                "invalid_signature");
    }

    @Test
    void tamperedUrlsAreRefused() throws Exception {
        JsonNode v = completed(keyA);
        JsonNode other = completed(keyA);
        String url = v.path("video_url").asText();
        String id = v.path("id").asText();
        String sig = url.substring(url.indexOf("signature=") + 10);
        String flipped = (sig.charAt(0) == 'A' ? "B" : "A") + sig.substring(1);

        // docs/openai-extension.md: param names the part that cannot be read (variant, expires); a change that leaves
        // every part readable (another id, variant or expiry, a changed or missing signature) is the signature's
        long expires = Long.parseLong(url.replaceAll(".*expires=(\\d+).*", "$1"));
        java.util.Map<String, String> tampered = new java.util.LinkedHashMap<>();
        tampered.put(url.replace(sig, flipped), "signature");
        tampered.put(url.replace("&signature=" + sig, ""), "signature");
        tampered.put(url.replace(id, other.path("id").asText()), "signature");
        tampered.put(url.replace("variant=video", "variant=spritesheet"), "signature");
        tampered.put(url.replace("expires=" + expires, "expires=" + (expires + 86400)), "signature");
        tampered.put(url.replace("expires=" + expires, "expires=soon"), "expires");
        tampered.put(url.replace("variant=video", "variant=poster"), "variant");
        for (var t : tampered.entrySet()) {
            HttpResponse<byte[]> r = get(t.getKey(), null);
            assertRefused(r, 403, "invalid_signature");
            assertThat(JSON.readTree(r.body()).at("/error/param").asText()).as(t.getKey()).isEqualTo(t.getValue());
        }
        assertRefused(get(url.replace(id, "video_doesnotexist"), null), 404, "video_not_found");
        assertThat(get(url, null).statusCode()).isEqualTo(200); // the untouched one still works

        // a deleted video's link stops working
        assertThat(get(url, null).statusCode()).isEqualTo(200);
        HttpResponse<byte[]> del = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/videos/" + id))
                .header("Authorization", "Bearer " + keyA).DELETE().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(del.statusCode()).isEqualTo(200);
        assertRefused(get(url, null), 404, "video_not_found");
    }

    @Test
    void anotherKeysVideoCannotBeTurnedIntoAUrl() throws Exception {
        JsonNode a = completed(keyA);
        JsonNode b = completed(keyB);
        String aId = a.path("id").asText();
        // key B does not see A's video, so it gets no link to it
        assertRefused(get("/v1/videos/" + aId, keyB), 404, "video_not_found");
        assertThat(JSON.readTree(get("/v1/videos", keyB).body()).toString()).doesNotContain(aId);
        // B's own valid link with A's id swapped in is refused: the signature binds the job and its owner
        String bUrl = b.path("video_url").asText();
        assertRefused(get(bUrl.replace(b.path("id").asText(), aId), null), 403, "invalid_signature");
        // and the signed path does not accept B's key in place of a signature
        assertRefused(get("/v1/videos/" + aId + "/content/signed?variant=video", keyB), 403, "invalid_signature");
    }

    @Test
    void publicUrlFromTheEnvironmentPrefixesTheLinks() throws Exception {
        server.close();
        ServerOptions options = ServerOptions.defaults(dir).withHost("127.0.0.1").withPort(0).withAccessLog(null)
                .withWorkers(new WorkerSettings(1, 2, Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofSeconds(5)));
        server = FramegateServer.builder(options).surfaces(List.of(new OpenAiSurface(true)))
                .backend("local", new TinyVideoBackend("local", true, 0)).finisher(new MediaFinisher()).clock(clock)
                .environment(name -> "FRAMEGATE_PUBLIC_URL".equals(name) ? "https://video.example.com/" : null)
                .build().start();
        base = "http://127.0.0.1:" + server.port();
        JsonNode v = completed(keyA); // the keys survive the restart (same data directory)
        String url = v.path("video_url").asText();
        assertThat(url).startsWith("https://video.example.com/v1/videos/" + v.path("id").asText() + "/content/signed?");
        // same database, same secret: the path signed before the restart's link works on this server
        assertThat(get(url.replace("https://video.example.com", base), null).statusCode()).isEqualTo(200);
    }

    /**
     * admin.md, "What holds across instances": deleting the {@code server_secrets} row makes a new secret at the next
     * start, which refuses every link signed before (403 {@code invalid_signature}); a retrieve then signs a new one.
     */
    @Test
    void deletingTheSigningSecretRowRefusesEveryEarlierLinkAfterTheNextStart() throws Exception {
        JsonNode v = completed(keyA);
        String oldPath = v.path("video_url").asText().substring(base.length());
        assertThat(get(oldPath, null).statusCode()).isEqualTo(200);
        int deleted = server.database().jdbi().withHandle(h -> h.createUpdate("DELETE FROM server_secrets WHERE name = :n")
                .bind("n", io.framegate.server.links.SignedUrls.SECRET_NAME).execute());
        assertThat(deleted).isEqualTo(1);
        server.close();
        ServerOptions options = ServerOptions.defaults(dir).withHost("127.0.0.1").withPort(0).withAccessLog(null)
                .withWorkers(new WorkerSettings(1, 2, Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofSeconds(5)));
        server = FramegateServer.builder(options).surfaces(List.of(new OpenAiSurface(true)))
                .backend("local", new TinyVideoBackend("local", true, 0)).finisher(new MediaFinisher()).clock(clock)
                .build().start();
        base = "http://127.0.0.1:" + server.port();

        assertRefused(get(oldPath, null), 403, "invalid_signature");
        JsonNode again = JSON.readTree(get("/v1/videos/" + v.path("id").asText(), keyA).body());
        String newPath = again.path("video_url").asText().substring(base.length());
        assertThat(newPath).isNotEqualTo(oldPath);
        assertThat(get(newPath, null).statusCode()).isEqualTo(200);
    }
}
