package io.framegate.server.openai;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.models.videos.Video;
import io.framegate.domain.GenerationBackend;
import io.framegate.domain.ImageLimits;
import io.framegate.server.FramegateServer;
import io.framegate.server.ServerOptions;
import io.framegate.server.jobs.WorkerSettings;
import io.framegate.server.media.MediaFinisher;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A real server on a random port with the OpenAI surface, two keys, and SDK clients for them. */
final class OpenAiTestServer implements AutoCloseable {
    final FramegateServer server;
    final String keyA;
    final String keyB;
    final String base;

    OpenAiTestServer(Path dir, GenerationBackend backend, long maxUploadBytes) throws Exception {
        this(dir, backend, maxUploadBytes, ImageLimits.DEFAULTS, true, null);
    }

    /** With these image limits, private image hosts allowed or not, and the access log written to {@code accessLog}. */
    OpenAiTestServer(Path dir, GenerationBackend backend, long maxUploadBytes, ImageLimits limits, boolean allowPrivate,
                     java.io.PrintStream accessLog) throws Exception {
        ServerOptions options = ServerOptions.defaults(dir).withHost("127.0.0.1").withPort(0).withAccessLog(accessLog)
                .withMaxUploadBytes(maxUploadBytes).withPollAfterMillis(250)
                .withWorkers(new WorkerSettings(1, 2, Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofSeconds(5)));
        server = FramegateServer.builder(options).surfaces(List.of(new OpenAiSurface(allowPrivate)))
                .backend("local", backend).finisher(new MediaFinisher()).imageLimits(limits).build().start();
        keyA = server.keys().create("a").secret();
        keyB = server.keys().create("b").secret();
        base = "http://127.0.0.1:" + server.port();
    }

    OpenAIClient client(String key) {
        return OpenAIOkHttpClient.builder().baseUrl(base + "/v1").apiKey(key).maxRetries(0)
                .timeout(Duration.ofSeconds(60)).build();
    }

    static Video awaitFinal(OpenAIClient client, String id) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        Video v = null;
        while (System.nanoTime() < deadline) {
            v = client.videos().retrieve(id);
            String s = v.status().asString();
            if (s.equals("completed") || s.equals("failed")) return v;
            Thread.sleep(100);
        }
        throw new AssertionError("video " + id + " did not finish; last: " + v);
    }

    HttpResponse<byte[]> send(HttpRequest.Builder req) throws Exception {
        return HttpClient.newHttpClient().send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    HttpRequest.Builder request(String path, String key) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
        if (key != null) b.header("Authorization", "Bearer " + key);
        return b;
    }

    @Override
    public void close() {
        server.close();
    }
}
