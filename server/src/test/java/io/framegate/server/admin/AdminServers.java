package io.framegate.server.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.framegate.server.FramegateServer;
import io.framegate.server.ServerOptions;
import io.framegate.server.TestImages;
import io.framegate.server.TinyVideoBackend;
import io.framegate.server.jobs.WorkerSettings;
import io.framegate.server.media.MediaFinisher;

import java.awt.Color;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

/**
 * The running servers of the admin tests and the requests they send them. A server has a free loopback port, no
 * access log, one local and two cloud worker slots, {@code backend} as its local backend with the media finisher, and
 * the data directory {@code data} (its {@code framegate.yaml}, if a test wrote one, and the admin token file).
 */
final class AdminServers {
    static final ObjectMapper JSON = new ObjectMapper();
    /** A 64x48 PNG, base64, the image of the creates. */
    static final String PNG = Base64.getEncoder().encodeToString(TestImages.png(64, 48, Color.BLUE));
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private AdminServers() {
    }

    /** Started, with the environment {@code env} (where {@link AdminToken#ENV} may be set). */
    static FramegateServer start(Path data, TinyVideoBackend backend, Map<String, String> env) throws Exception {
        return builder(data, backend, env).build().start();
    }

    /** Not built yet, for a test that sets more (a clock). */
    static FramegateServer.Builder builder(Path data, TinyVideoBackend backend, Map<String, String> env) {
        ServerOptions o = ServerOptions.defaults(data).withHost("127.0.0.1").withPort(0).withAccessLog(null)
                .withWorkers(new WorkerSettings(1, 2, Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofSeconds(5)));
        return FramegateServer.builder(o).environment(env::get).backend("local", backend).finisher(new MediaFinisher());
    }

    /** A server's answer: its status, its body as JSON (an empty object when the body is blank) and the response. */
    record Reply(int status, JsonNode json, HttpResponse<String> raw) {
        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    /** Sends {@code body} as JSON (nothing when null) with the header name-value pairs {@code headers}. */
    static Reply send(FramegateServer s, String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) b.header("Content-Type", "application/json");
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = r.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.body());
        return new Reply(r.statusCode(), json, r);
    }

    /** An OpenAI create with {@code key}: a 1 s 160x96 video of {@code model} from {@link #PNG}. */
    static Reply openAiCreate(FramegateServer s, String key, String model) throws Exception {
        return send(s, "POST", "/v1/videos", "{\"model\":\"" + model + "\",\"prompt\":\"p\",\"size\":\"160x96\",\"seconds\":\"1\","
                + "\"input_reference\":{\"image_url\":\"data:image/png;base64," + PNG + "\"}}", "Authorization", "Bearer " + key);
    }
}
