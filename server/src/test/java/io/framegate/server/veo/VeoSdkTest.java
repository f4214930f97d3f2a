package io.framegate.server.veo;

import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.genai.Client;
import com.google.genai.errors.ApiException;
import com.google.genai.types.GenerateVideosConfig;
import com.google.genai.types.GenerateVideosOperation;
import com.google.genai.types.GenerateVideosSource;
import com.google.genai.types.GeneratedVideo;
import com.google.genai.types.HttpOptions;
import com.google.genai.types.Image;
import com.google.genai.types.Video;
import com.google.genai.types.VideoGenerationReferenceImage;
import io.framegate.server.RecordingBackend;
import io.framegate.engine.VideoFiles;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.fail;

/**
 * The official Google Gen AI Java SDK ({@code com.google.genai:google-genai} 1.80.0, the last line whose
 * {@code generateVideos} still speaks the Gemini API; 2.0.0 throws on it and sends only the Vertex shape) pointed at
 * a running Framegate by base URL, in Gemini mode, Vertex mode with an OAuth access token and Vertex express mode.
 */
class VeoSdkTest {
    private static final byte[] START = TestImages.png(320, 180, 0);
    private static final byte[] END = TestImages.png(320, 180, 150);
    private static VeoTestServer srv;

    @BeforeAll
    static void start() throws Exception {
        srv = new VeoTestServer();
    }

    @AfterAll
    static void stop() {
        if (srv != null) srv.close();
    }

    private static HttpOptions base() {
        return HttpOptions.builder().baseUrl(srv.baseUrl()).build();
    }

    private static Client gemini(String key) {
        return Client.builder().apiKey(key).httpOptions(base()).build();
    }

    private static Client vertex(String key) {
        GoogleCredentials token = GoogleCredentials.create(
                new AccessToken(key, new Date(System.currentTimeMillis() + 3_600_000)));
        return Client.builder().vertexAI(true).project("my-project").location("us-central1").credentials(token)
                .httpOptions(base()).build();
    }

    private static Client vertexExpress(String key) {
        return Client.builder().vertexAI(true).apiKey(key).httpOptions(base()).build();
    }

    private static Image png(byte[] bytes) {
        return Image.builder().imageBytes(bytes).mimeType("image/png").build();
    }

    private static GenerateVideosOperation await(Client client, GenerateVideosOperation op) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!op.done().orElse(false)) {
            if (System.nanoTime() > deadline) fail("operation " + op.name().orElse("?") + " not done in 120 s");
            Thread.sleep(150);
            op = client.operations.getVideosOperation(op, null);
        }
        return op;
    }

    private static List<GeneratedVideo> videos(GenerateVideosOperation op) {
        assertThat(op.error()).as("operation error").isEmpty();
        return op.response().orElseThrow().generatedVideos().orElseThrow();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> framegate(GenerateVideosOperation op) {
        return (Map<String, Object>) op.metadata().orElseThrow().get("framegate");
    }

    /** What the job of {@code op} handed the backend. */
    private static RecordingBackend.Received received(GenerateVideosOperation op) throws InterruptedException {
        return srv.received.received((String) framegate(op).get("job_id"));
    }

    @Test
    void geminiFirstAndLastFrameThenDownload() throws Exception {
        Client client = gemini(srv.keyA);
        GenerateVideosOperation op = client.models.generateVideos("veo-3.1-generate-001",
                GenerateVideosSource.builder().prompt("the orange block slides right").image(png(START)).build(),
                GenerateVideosConfig.builder().lastFrame(png(END)).durationSeconds(4).aspectRatio("16:9")
                        .resolution("720p").numberOfVideos(1).build());
        assertThat(op.name().orElseThrow()).matches("models/veo-3\\.1-generate-001/operations/[a-z0-9]+");

        op = await(client, op);
        List<GeneratedVideo> videos = videos(op);
        assertThat(videos).hasSize(1);
        String uri = videos.get(0).video().orElseThrow().uri().orElseThrow();
        assertThat(uri).matches("https://127\\.0\\.0\\.1:\\d+/v1beta/files/[a-z0-9]+:download\\?alt=media");
        assertThat(framegate(op)).containsEntry("local_render", true).containsEntry("backend", "local")
                .containsEntry("progress", 100);
        RecordingBackend.Received got = received(op);
        assertThat(got.roles()).containsExactly("first_frame", "last_frame");
        assertThat(got.imageOf("first_frame")).as("image -> first frame").isEqualTo(RecordingBackend.sha256(START));
        assertThat(got.imageOf("last_frame")).as("lastFrame -> last frame").isEqualTo(RecordingBackend.sha256(END));
        assertThat(got.seconds()).isEqualTo(4);
        assertThat(got.size()).isEqualTo("1280x720");
        assertThat(got.prompt()).isEqualTo("the orange block slides right");

        Path out = Files.createTempFile("veo-gemini-", ".mp4");
        try {
            client.files.download(videos.get(0), out.toString(), null);
            VideoFiles.Info info = VideoFiles.probe(out);
            assertThat(info.width()).isEqualTo(1280);
            assertThat(info.height()).isEqualTo(720);
            assertThat(info.frames()).isEqualTo(4 * 24);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    @Test
    void geminiReferenceImages() throws Exception {
        Client client = gemini(srv.keyA);
        GenerateVideosOperation op = client.models.generateVideos("veo-3.1-generate-001",
                GenerateVideosSource.builder().prompt("a fox in this style").build(),
                GenerateVideosConfig.builder().durationSeconds(8).aspectRatio("9:16").referenceImages(List.of(
                        VideoGenerationReferenceImage.builder().image(png(START)).referenceType("ASSET").build(),
                        VideoGenerationReferenceImage.builder().image(png(END)).referenceType("ASSET").build()))
                        .build());
        op = await(client, op);
        RecordingBackend.Received got = received(op);
        assertThat(got.roles()).containsExactly("asset", "asset");
        assertThat(got.imageSha256()).as("both references, in order")
                .containsExactly(RecordingBackend.sha256(START), RecordingBackend.sha256(END));
        assertThat(got.seconds()).isEqualTo(8);
        assertThat(got.size()).isEqualTo("720x1280");
        Path out = Files.createTempFile("veo-refs-", ".mp4");
        try {
            client.files.download(videos(op).get(0), out.toString(), null);
            VideoFiles.Info info = VideoFiles.probe(out);
            assertThat(info.width()).isEqualTo(720);
            assertThat(info.height()).isEqualTo(1280);
            assertThat(info.frames()).isEqualTo(8 * 24);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    @Test
    void vertexWithAccessTokenReturnsVideoBytes() throws Exception {
        Client client = vertex(srv.keyA);
        GenerateVideosOperation op = client.models.generateVideos("framegate-local",
                GenerateVideosSource.builder().prompt("two takes").image(png(START)).build(),
                GenerateVideosConfig.builder().lastFrame(png(END)).durationSeconds(2).numberOfVideos(2).seed(42)
                        .fps(12).aspectRatio("16:9").resolution("144p").generateAudio(false).resizeMode("PAD")
                        .compressionQuality("OPTIMIZED").enhancePrompt(false).labels(Map.of("team", "film")).build());
        assertThat(op.name().orElseThrow()).matches(
                "projects/my-project/locations/us-central1/publishers/google/models/framegate-local/operations/[a-z0-9]+");
        op = await(client, op);
        List<GeneratedVideo> videos = videos(op);
        assertThat(videos).hasSize(2);
        RecordingBackend.Received got = received(op);
        assertThat(got.roles()).containsExactly("first_frame", "last_frame");
        assertThat(got.imageOf("first_frame")).isEqualTo(RecordingBackend.sha256(START));
        assertThat(got.imageOf("last_frame")).isEqualTo(RecordingBackend.sha256(END));
        assertThat(got.size()).isEqualTo("256x144");
        assertThat(got.fps()).isEqualTo(12);
        assertThat(got.frameCount()).isEqualTo(2 * 12);
        for (GeneratedVideo v : videos) {
            assertThat(v.video().orElseThrow().mimeType()).contains("video/mp4");
            VideoFiles.Info info = VeoTestServer.probe(v.video().orElseThrow().videoBytes().orElseThrow());
            assertThat(info.width()).isEqualTo(256);
            assertThat(info.height()).isEqualTo(144);
            assertThat(info.frames()).isEqualTo(2 * 12);
        }
    }

    @Test
    void vertexVeoModelWithOAuthToken() throws Exception {
        Client client = vertex(srv.keyA);
        GenerateVideosOperation op = await(client, client.models.generateVideos("veo-3.1-fast-generate-001",
                GenerateVideosSource.builder().prompt("p").image(png(START)).build(),
                GenerateVideosConfig.builder().lastFrame(png(END)).durationSeconds(4).aspectRatio("9:16").seed(7)
                        .build()));
        RecordingBackend.Received got = received(op);
        assertThat(got.model()).isEqualTo("veo-3.1-fast-generate-001");
        assertThat(got.imageOf("first_frame")).isEqualTo(RecordingBackend.sha256(START));
        assertThat(got.imageOf("last_frame")).isEqualTo(RecordingBackend.sha256(END));
        assertThat(got.seconds()).isEqualTo(4);
        VideoFiles.Info info = VeoTestServer.probe(videos(op).get(0).video().orElseThrow().videoBytes().orElseThrow());
        assertThat(info.width()).isEqualTo(720);
        assertThat(info.height()).isEqualTo(1280);
        assertThat(info.frames()).isEqualTo(4 * 24);
    }

    @Test
    void vertexExpressModeWithStorageUriThenExtension() throws Exception {
        Client client = vertexExpress(srv.keyA);
        GenerateVideosOperation first = await(client, client.models.generateVideos("framegate-local",
                GenerateVideosSource.builder().prompt("small").image(png(START)).build(),
                GenerateVideosConfig.builder().aspectRatio("16:9").resolution("144p").durationSeconds(1)
                        .outputGcsUri("gs://my-bucket/renders").build()));
        assertThat(first.name().orElseThrow()).startsWith("publishers/google/models/framegate-local/operations/");
        Video made = videos(first).get(0).video().orElseThrow();
        assertThat(made.uri().orElseThrow()).matches("gs://my-bucket/renders/[a-z0-9]+/sample_0\\.mp4");
        assertThat(made.videoBytes()).isEmpty();

        GenerateVideosOperation extended = await(client, client.models.generateVideos("framegate-local",
                GenerateVideosSource.builder().prompt("and further").video(made).build(),
                GenerateVideosConfig.builder().aspectRatio("16:9").resolution("144p").durationSeconds(1).build()));
        VideoFiles.Info info = VeoTestServer.probe(
                videos(extended).get(0).video().orElseThrow().videoBytes().orElseThrow());
        assertThat(info.width()).isEqualTo(256);
        assertThat(info.height()).isEqualTo(144);
        // the extension is stitched after its source: about two seconds (the repeated joint frame may be dropped)
        assertThat(info.frames()).isBetween(2 * 24 - 1, 2 * 24);
    }

    @Test
    void validationErrorsArriveAsSdkExceptionsNamingTheVeoField() {
        ApiException seconds = catchThrowableOfType(ApiException.class, () -> gemini(srv.keyA).models.generateVideos(
                "veo-3.1-generate-001", GenerateVideosSource.builder().prompt("p").build(),
                GenerateVideosConfig.builder().durationSeconds(5).build()));
        assertThat(seconds.code()).isEqualTo(400);
        assertThat(seconds.status()).isEqualTo("INVALID_ARGUMENT");
        assertThat(seconds.message()).contains("parameters.durationSeconds")
                .contains("durationSeconds=5 is not allowed for veo-3.1-generate-001; allowed: 4, 6, 8");

        ApiException refs = catchThrowableOfType(ApiException.class, () -> vertex(srv.keyA).models.generateVideos(
                "veo-3.1-generate-001", GenerateVideosSource.builder().prompt("p").build(),
                GenerateVideosConfig.builder().durationSeconds(4).referenceImages(List.of(
                        VideoGenerationReferenceImage.builder().image(png(START)).referenceType("ASSET").build()))
                        .build()));
        assertThat(refs.code()).isEqualTo(400);
        assertThat(refs.message()).contains("parameters.durationSeconds")
                .contains("reference images are only available at 8 seconds");

        ApiException count = catchThrowableOfType(ApiException.class, () -> vertex(srv.keyA).models.generateVideos(
                "veo-3.1-generate-001", GenerateVideosSource.builder().prompt("p").build(),
                GenerateVideosConfig.builder().numberOfVideos(9).build()));
        assertThat(count.message()).contains("parameters.sampleCount").contains("sampleCount=9 is not allowed");

        ApiException lastOnly = catchThrowableOfType(ApiException.class, () -> gemini(srv.keyA).models.generateVideos(
                "veo-3.1-generate-001", GenerateVideosSource.builder().prompt("p").build(),
                GenerateVideosConfig.builder().lastFrame(png(END)).build()));
        assertThat(lastOnly.message()).contains("instances[0].image").contains("a last frame needs a first frame");

        ApiException model = catchThrowableOfType(ApiException.class, () -> vertex(srv.keyA).models.generateVideos(
                "veo-9", GenerateVideosSource.builder().prompt("p").build(), GenerateVideosConfig.builder().build()));
        assertThat(model.code()).isEqualTo(404);
        assertThat(model.status()).isEqualTo("NOT_FOUND");
        assertThat(model.message()).contains("models/veo-9 is not found");
    }

    @Test
    void aWrongKeyIs401AndAnotherKeysOperationIs404() throws Exception {
        ApiException wrong = catchThrowableOfType(ApiException.class, () -> gemini("not-a-key").models.generateVideos(
                "framegate-local", GenerateVideosSource.builder().image(png(START)).build(),
                GenerateVideosConfig.builder().resolution("144p").durationSeconds(1).build()));
        assertThat(wrong.code()).isEqualTo(401);
        assertThat(wrong.status()).isEqualTo("UNAUTHENTICATED");

        Client owner = gemini(srv.keyA);
        GenerateVideosOperation op = await(owner, owner.models.generateVideos("framegate-local",
                GenerateVideosSource.builder().image(png(START)).build(),
                GenerateVideosConfig.builder().resolution("144p").durationSeconds(1).build()));
        GenerateVideosOperation finished = op;
        ApiException poll = catchThrowableOfType(ApiException.class,
                () -> gemini(srv.keyB).operations.getVideosOperation(finished, null));
        assertThat(poll.code()).isEqualTo(404);

        Path out = Files.createTempFile("veo-other-", ".mp4");
        try {
            ApiException download = catchThrowableOfType(ApiException.class,
                    () -> gemini(srv.keyB).files.download(videos(finished).get(0), out.toString(), null));
            assertThat(download.code()).isEqualTo(404);
        } finally {
            Files.deleteIfExists(out);
        }
        ApiException vertexPoll = catchThrowableOfType(ApiException.class, () -> vertex(srv.keyB).operations
                .getVideosOperation(GenerateVideosOperation.builder()
                        .name("projects/p/locations/l/publishers/google/models/framegate-local/operations/"
                                + finished.name().orElseThrow().replaceAll(".*/", ""))
                        .build(), null));
        assertThat(vertexPoll.code()).isEqualTo(404);
    }
}
