package io.framegate.server.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.framegate.domain.GenerationRequest;
import io.framegate.server.RecordingBackend;
import io.framegate.server.TestImages;
import io.framegate.server.TinyVideoBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/openai-extension.md: the fields Framegate adds to the OpenAI create, as the backend receives them, the forms of
 * them the tables list that other tests do not send, and the {@code framegate} object of a video.
 */
class OpenAiExtensionFieldsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path dir;

    private static String dataUrl(byte[] png) {
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
    }

    private static JsonNode json(HttpResponse<byte[]> r) throws Exception {
        return JSON.readTree(r.body());
    }

    private static HttpResponse<byte[]> postJson(OpenAiTestServer t, String body) throws Exception {
        return t.send(t.request("/v1/videos", t.keyA).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static HttpResponse<byte[]> postMultipart(OpenAiTestServer t, Multipart m) throws Exception {
        return t.send(t.request("/v1/videos", t.keyA).header("Content-Type", m.contentType())
                .POST(HttpRequest.BodyPublishers.ofByteArray(m.build())));
    }

    /** The request the create's job handed the backend, and what it received; the job is then cancelled. */
    private static RecordingBackend.Received received(OpenAiTestServer t, RecordingBackend backend,
                                                      HttpResponse<byte[]> created) throws Exception {
        assertThat(created.statusCode()).as(new String(created.body())).isEqualTo(200);
        String id = json(created).path("id").asText();
        RecordingBackend.Received r = backend.received(id);
        t.send(t.request("/v1/videos/" + id + "/cancel", t.keyA).POST(HttpRequest.BodyPublishers.noBody()));
        return r;
    }

    private static void assertRefused(HttpResponse<byte[]> r, String param, String messagePart) throws Exception {
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(400);
        assertThat(json(r).at("/error/param").asText()).as(new String(r.body())).isEqualTo(param);
        assertThat(json(r).at("/error/message").asText()).contains(messagePart);
    }

    /**
     * Other additions: {@code seed} (integer) and {@code negative_prompt} on create reach models that take them (the
     * offline engine); other models (sora-2) answer 400 naming the field, and nothing is created.
     */
    @Test
    void seedAndNegativePromptReachTheEngineAndOtherModelsAnswer400NamingTheField() throws Exception {
        RecordingBackend backend = new RecordingBackend(new TinyVideoBackend("local", true, 0));
        try (OpenAiTestServer t = new OpenAiTestServer(dir, backend, 5_000_000)) {
            String image = "\"input_reference\":{\"image_url\":\"" + dataUrl(TestImages.png(160, 96, Color.RED)) + "\"}";
            received(t, backend, postJson(t, "{\"model\":\"framegate-local\",\"prompt\":\"p\",\"seconds\":\"1\",\"size\":\"160x96\","
                    + "\"seed\":4242,\"negative_prompt\":\"fog\"," + image + "}"));
            GenerationRequest sent = backend.requests().getLast();
            assertThat(sent.seed()).isEqualTo(4242L);
            assertThat(sent.negativePrompt()).isEqualTo("fog");

            String sora = "{\"model\":\"sora-2\",\"prompt\":\"p\",\"seconds\":\"4\",\"size\":\"1280x720\"," + image;
            assertRefused(postJson(t, sora + ",\"seed\":7}"), "seed", "seed");
            assertRefused(postJson(t, sora + ",\"negative_prompt\":\"fog\"}"), "negative_prompt",
                    "negative_prompt is not supported by sora-2");
            JsonNode list = json(t.send(t.request("/v1/videos", t.keyA).GET()));
            assertThat(list.path("data")).as("only the first create made a video").hasSize(1);
        }
    }

    /**
     * The table's other forms: a file part named {@code frame_images[0]} (with its {@code [frame_type]}) and
     * {@code input_references[0][image_url]} in multipart; and {@code input_reference} on a model without a
     * reference role (Veo) becomes its first frame.
     */
    @Test
    void theTablesOtherMultipartFormsAndInputReferenceAsVeosFirstFrame() throws Exception {
        RecordingBackend backend = new RecordingBackend(new TinyVideoBackend("local", true, 0));
        try (OpenAiTestServer t = new OpenAiTestServer(dir, backend, 5_000_000)) {
            byte[] one = TestImages.png(160, 96, Color.RED), two = TestImages.png(160, 96, Color.BLUE);
            RecordingBackend.Received r = received(t, backend, postMultipart(t, new Multipart().field("model", "framegate-local")
                    .field("size", "160x96").field("seconds", "1")
                    .file("frame_images[0]", "a.png", "image/png", one).field("frame_images[0][frame_type]", "first_frame")
                    .file("frame_images[1]", "b.png", "image/png", two).field("frame_images[1][frame_type]", "last_frame")));
            assertThat(r.imageOf("first_frame")).isEqualTo(RecordingBackend.sha256(one));
            assertThat(r.imageOf("last_frame")).isEqualTo(RecordingBackend.sha256(two));

            r = received(t, backend, postMultipart(t, new Multipart().field("model", "veo-3.1-generate-001")
                    .field("prompt", "p").field("seconds", "8").field("size", "1280x720")
                    .field("input_references[0][image_url]", dataUrl(two))));
            assertThat(r.roles()).containsExactly("asset");
            assertThat(r.imageSha256()).containsExactly(RecordingBackend.sha256(two));

            r = received(t, backend, postJson(t, "{\"model\":\"veo-3.1-generate-001\",\"prompt\":\"p\",\"seconds\":\"8\","
                    + "\"size\":\"1280x720\",\"input_reference\":{\"image_url\":\"" + dataUrl(one) + "\"}}"));
            assertThat(r.roles()).containsExactly("first_frame");
            assertThat(r.imageSha256()).containsExactly(RecordingBackend.sha256(one));
        }
    }

    /**
     * Other additions, the {@code framegate} object of a video made on this machine; Decisions: {@code seconds} as a
     * JSON number. {@code backend} "local", {@code local_render} true, {@code estimated_cost_usd} 0, {@code cost_usd}
     * once completed, {@code status}, {@code extended_from_video_id} null, {@code number_of_videos} 1,
     * {@code started_at} in Unix seconds, not before the video was created.
     */
    @Test
    void aLocalVideosFramegateObjectSaysWhatMadeItAndSecondsMayBeANumber() throws Exception {
        try (OpenAiTestServer t = new OpenAiTestServer(dir, new TinyVideoBackend("local", true, 0), 5_000_000)) {
            HttpResponse<byte[]> created = postJson(t, "{\"model\":\"sora-2\",\"prompt\":\"p\",\"seconds\":4,\"size\":\"1280x720\","
                    + "\"input_reference\":{\"image_url\":\"" + dataUrl(TestImages.png(1280, 720, Color.RED)) + "\"}}");
            assertThat(created.statusCode()).as(new String(created.body())).isEqualTo(200);
            String id = json(created).path("id").asText();
            assertThat(json(created).path("seconds").asText()).isEqualTo("4");
            JsonNode v = json(created);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!v.path("status").asText().matches("completed|failed") && System.nanoTime() < deadline) {
                Thread.sleep(100);
                v = json(t.send(t.request("/v1/videos/" + id, t.keyA).GET()));
            }
            assertThat(v.path("status").asText()).as(v.toString()).isEqualTo("completed");
            JsonNode fg = v.path("framegate");
            assertThat(fg.path("backend").asText()).as(fg.toString()).isEqualTo("local");
            assertThat(fg.path("local_render").asBoolean(false)).isTrue();
            assertThat(fg.path("channel").isNull()).as(fg.toString()).isTrue();
            assertThat(fg.path("estimated_cost_usd").decimalValue()).isZero();
            assertThat(fg.path("cost_usd").isNumber()).as(fg.toString()).isTrue();
            assertThat(fg.path("status").asText()).isEqualTo("completed");
            assertThat(fg.has("extended_from_video_id") && fg.path("extended_from_video_id").isNull()).as(fg.toString()).isTrue();
            assertThat(fg.path("number_of_videos").asInt()).isEqualTo(1);
            assertThat(fg.path("started_at").isIntegralNumber()).as(fg.toString()).isTrue();
            assertThat(fg.path("started_at").asLong()).isGreaterThanOrEqualTo(v.path("created_at").asLong())
                    .isLessThanOrEqualTo(v.path("completed_at").asLong());
            assertThat(fg.path("notes").isObject()).isTrue();
        }
    }
}
