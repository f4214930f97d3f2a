package io.framegate.server.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.framegate.server.FramegateServer;
import io.framegate.server.ServerOptions;
import io.framegate.server.TestImages;
import io.framegate.server.TinyVideoBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code FRAMEGATE_ALLOW_PRIVATE_IMAGE_URLS} is read from the server's environment (the one its builder is given,
 * as for every other setting of the environment), not from the process's: the OpenAI surface as {@code serve} finds
 * it (no arguments) refuses an image URL on a loopback host unless that environment says {@code true}.
 */
class PrivateImageUrlsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] IMAGE = TestImages.png(160, 96, Color.RED);

    @TempDir
    Path dir;
    HttpServer images;
    final AtomicInteger fetches = new AtomicInteger();

    @BeforeEach
    void serveAnImageOnLoopback() throws Exception {
        images = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        images.createContext("/", ex -> {
            fetches.incrementAndGet();
            ex.getResponseHeaders().add("Content-Type", "image/png");
            ex.sendResponseHeaders(200, IMAGE.length);
            ex.getResponseBody().write(IMAGE);
            ex.close();
        });
        images.start();
    }

    @AfterEach
    void stopTheImageServer() {
        images.stop(0);
    }

    /** A server with the OpenAI surface as found by the service loader, and {@code environment} as its environment. */
    FramegateServer server(Map<String, String> environment) throws Exception {
        ServerOptions options = ServerOptions.defaults(dir).withHost("127.0.0.1").withPort(0).withAccessLog(null);
        return FramegateServer.builder(options).surfaces(java.util.List.of(new OpenAiSurface()))
                .environment(environment::get).localBackend(new TinyVideoBackend("local", true, 0)).build().start();
    }

    HttpResponse<byte[]> createWithImageUrl(FramegateServer server, String key) throws Exception {
        return createWithImageUrl(server, key, "http://127.0.0.1:" + images.getAddress().getPort() + "/ref.png");
    }

    HttpResponse<byte[]> createWithImageUrl(FramegateServer server, String key, String url) throws Exception {
        String body = "{\"model\":\"framegate-local\",\"size\":\"160x96\",\"seconds\":\"1\",\"input_reference\":"
                + "{\"image_url\":\"" + url + "\"}}";
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/videos"))
                .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void withoutTheSettingALoopbackImageUrlIsA400NamingTheParameter() throws Exception {
        try (FramegateServer server = server(Map.of())) {
            HttpResponse<byte[]> r = createWithImageUrl(server, server.keys().create("a").secret());
            assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(400);
            JsonNode error = JSON.readTree(r.body()).path("error");
            assertThat(error.path("param").asText()).isEqualTo("input_reference.image_url");
            assertThat(error.path("message").asText()).contains("private, local or reserved");
            assertThat(fetches).as("never fetched").hasValue(0);
        }
    }

    @Test
    void withTheSettingInTheServersEnvironmentTheImageIsFetchedAndTheJobCreated() throws Exception {
        try (FramegateServer server = server(Map.of("FRAMEGATE_ALLOW_PRIVATE_IMAGE_URLS", "true"))) {
            HttpResponse<byte[]> r = createWithImageUrl(server, server.keys().create("a").secret());
            assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
            JsonNode video = JSON.readTree(r.body());
            assertThat(video.path("id").asText()).startsWith("video_");
            assertThat(video.path("object").asText()).isEqualTo("video");
            assertThat(fetches).as("fetched from the local server").hasValue(1);
        }
    }

    /**
     * docs/limits.md, Image URLs: only http and https, and no redirects: with private addresses allowed, a URL that
     * answers {@code 302} to the very image that works directly is a 400 naming the parameter and saying redirects
     * are not followed (its target is never requested), and an {@code ftp:} URL is a 400 before any connection.
     * Neither creates a job.
     */
    @Test
    void anImageUrlIsFetchedOverHttpOrHttpsOnlyAndARedirectIsNotFollowed() throws Exception {
        String port = String.valueOf(images.getAddress().getPort());
        AtomicInteger redirects = new AtomicInteger();
        images.createContext("/moved.png", ex -> {
            redirects.incrementAndGet();
            ex.getResponseHeaders().add("Location", "http://127.0.0.1:" + port + "/ref.png");
            ex.sendResponseHeaders(302, -1);
            ex.close();
        });
        try (FramegateServer server = server(Map.of("FRAMEGATE_ALLOW_PRIVATE_IMAGE_URLS", "true"))) {
            String key = server.keys().create("a").secret();
            HttpResponse<byte[]> moved = createWithImageUrl(server, key, "http://127.0.0.1:" + port + "/moved.png");
            assertThat(moved.statusCode()).as(new String(moved.body())).isEqualTo(400);
            JsonNode error = JSON.readTree(moved.body()).path("error");
            assertThat(error.path("param").asText()).isEqualTo("input_reference.image_url");
            assertThat(error.path("message").asText()).contains("HTTP 302", "redirects are not followed");
            assertThat(redirects).hasValue(1);
            assertThat(fetches).as("the redirect's target was never requested").hasValue(0);

            HttpResponse<byte[]> ftp = createWithImageUrl(server, key, "ftp://127.0.0.1:" + port + "/ref.png");
            assertThat(ftp.statusCode()).as(new String(ftp.body())).isEqualTo(400);
            assertThat(JSON.readTree(ftp.body()).at("/error/param").asText()).isEqualTo("input_reference.image_url");
            assertThat(JSON.readTree(ftp.body()).at("/error/message").asText()).contains("http(s)");
            assertThat(fetches).hasValue(0);
            int jobs = server.database().jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM jobs")
                    .mapTo(Integer.class).one());
            assertThat(jobs).as("no job").isZero();

            // the same image named directly is fetched and the job made: the refusal was the redirect's
            assertThat(createWithImageUrl(server, key).statusCode()).isEqualTo(200);
            assertThat(fetches).hasValue(1);
        }
    }
}
