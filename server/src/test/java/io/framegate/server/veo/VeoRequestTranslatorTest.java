package io.framegate.server.veo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.framegate.domain.FitMode;
import io.framegate.domain.GenerationRequest;
import io.framegate.domain.ImageRole;
import io.framegate.domain.InputImage;
import io.framegate.domain.ModelCatalog;
import io.framegate.domain.RenderPlan;
import io.framegate.domain.RequestValidator;
import io.framegate.domain.ValidationException;
import io.framegate.domain.VideoSize;
import io.framegate.server.veo.GoogleApiException.FieldViolation;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class VeoRequestTranslatorTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] START = TestImages.png(64, 36, 0);
    private static final byte[] END = TestImages.jpeg(64, 36, 20);
    private final VeoRequestTranslator translator = new VeoRequestTranslator(MediaResolver.NONE);
    private final RequestValidator validator = new RequestValidator(ModelCatalog.builtIn());

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text.replace("$START", TestImages.base64(START)).replace("$END", TestImages.base64(END)));
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private GoogleApiException rejected(String model, String body, VeoDialect dialect) {
        return catchThrowableOfType(GoogleApiException.class, () -> translator.translate(model, json(body), dialect));
    }

    @Test
    void geminiShapeFromThePythonSdk() {
        VeoRequest veo = translator.translate("veo-3.1-generate-preview", json("""
                { "instances": [ { "prompt": "A ghostly woman swings",
                    "image":     { "bytesBase64Encoded": "$START", "mimeType": "image/png" },
                    "lastFrame": { "bytesBase64Encoded": "$END", "mimeType": "image/jpeg" } } ],
                  "parameters": { "aspectRatio": "16:9", "resolution": "720p", "durationSeconds": 8,
                                  "personGeneration": "allow_adult", "negativePrompt": "text overlays", "sampleCount": 1 } }
                """), VeoDialect.GEMINI);
        GenerationRequest r = veo.request();
        assertThat(r.model()).isEqualTo("veo-3.1-generate-preview");
        assertThat(r.prompt()).isEqualTo("A ghostly woman swings");
        assertThat(r.images()).extracting(InputImage::role).containsExactly(ImageRole.FIRST_FRAME, ImageRole.LAST_FRAME);
        assertThat(r.images()).as("checked whole here; the worker does not walk them again").allMatch(InputImage::checked);
        assertThat(r.imagesWith(ImageRole.FIRST_FRAME).get(0).bytes()).isEqualTo(START);
        assertThat(r.imagesWith(ImageRole.LAST_FRAME).get(0).mimeType()).isEqualTo("image/jpeg");
        assertThat(r.seconds()).isEqualTo(8);
        assertThat(r.aspectRatio()).isEqualTo("16:9");
        assertThat(r.resolution()).isEqualTo("720p");
        assertThat(r.personGeneration()).isEqualTo("allow_adult");
        assertThat(r.negativePrompt()).isEqualTo("text overlays");
        assertThat(r.numberOfVideos()).isEqualTo(1);
        assertThat(veo.storageUri()).isNull();

        RenderPlan plan = validator.validate(r);
        assertThat(plan.size()).isEqualTo(new VideoSize(1280, 720));
        assertThat(plan.frameCount()).isEqualTo(8 * 24);
    }

    @Test
    void docsShapeWithInlineDataStringDurationAndLowercaseEnums() {
        VeoRequest veo = translator.translate("veo-3.1-generate-001", json("""
                { "instances": [ { "prompt": "a red fox",
                    "referenceImages": [
                      { "image": { "inlineData": { "mimeType": "image/png", "data": "$START" } }, "referenceType": "asset" },
                      { "image": { "inlineData": { "mimeType": "image/jpeg", "data": "$END" } }, "referenceType": "Asset" } ] } ],
                  "parameters": { "durationSeconds": "8", "numberOfVideos": 2, "resolution": "1080P",
                                  "personGeneration": "ALLOW_ADULT", "resizeMode": "crop", "compressionQuality": "lossless" } }
                """), VeoDialect.GEMINI);
        GenerationRequest r = veo.request();
        assertThat(r.images()).extracting(InputImage::role).containsExactly(ImageRole.ASSET, ImageRole.ASSET);
        assertThat(r.images()).extracting(InputImage::mimeType).containsExactly("image/png", "image/jpeg");
        assertThat(r.seconds()).isEqualTo(8);
        assertThat(r.numberOfVideos()).isEqualTo(2);
        assertThat(veo.sampleCountField()).isEqualTo("numberOfVideos");
        assertThat(r.resolution()).isEqualTo("1080p");
        assertThat(r.personGeneration()).isEqualTo("allow_adult");
        assertThat(r.fit()).isEqualTo(FitMode.CROP);
        assertThat(r.options()).containsEntry("compression_quality", "lossless").doesNotContainKey("fit");

        RenderPlan plan = validator.validate(r);
        assertThat(plan.size()).isEqualTo(new VideoSize(1920, 1080));
        assertThat(plan.numberOfVideos()).isEqualTo(2);
    }

    @Test
    void vertexShapeWithUppercaseEnumsAndEveryParameter() {
        VeoRequest veo = translator.translate("veo-3.1-generate-001", json("""
                { "instances": [ { "prompt": "…",
                    "image": { "bytesBase64Encoded": "$START", "mimeType": "image/png" },
                    "lastFrame": { "bytesBase64Encoded": "$END" } } ],
                  "parameters": { "sampleCount": 1, "durationSeconds": 8, "aspectRatio": "9:16", "resolution": "1080p",
                                  "generateAudio": true, "seed": 42, "personGeneration": "allow_adult",
                                  "resizeMode": "PAD", "compressionQuality": "OPTIMIZED", "storageUri": "gs://b/out/",
                                  "enhancePrompt": false, "fps": 24, "pubsubTopic": "projects/p/topics/t",
                                  "negativePrompt": "blur" },
                  "labels": { "team": "film" } }
                """), VeoDialect.VERTEX);
        GenerationRequest r = veo.request();
        assertThat(r.images()).extracting(InputImage::role).containsExactly(ImageRole.FIRST_FRAME, ImageRole.LAST_FRAME);
        assertThat(r.imagesWith(ImageRole.LAST_FRAME).get(0).mimeType()).isEqualTo("image/jpeg");
        assertThat(r.audio()).isTrue();
        assertThat(r.seed()).isEqualTo(42L);
        assertThat(r.fps()).isEqualTo(24);
        assertThat(veo.storageUri()).isEqualTo("gs://b/out/");
        assertThat(r.fit()).isEqualTo(FitMode.PAD);
        assertThat(r.options()).containsEntry("compression_quality", "optimized")
                .containsEntry("enhance_prompt", "false").containsEntry("pubsub_topic", "projects/p/topics/t")
                .containsEntry("storage_uri", "gs://b/out/").containsEntry("label.team", "film")
                .containsEntry("veo_surface", "vertex");
        assertThat(validator.validate(r).size()).isEqualTo(new VideoSize(1080, 1920));
    }

    @Test
    void styleReferenceBecomesStyleRole() {
        VeoRequest veo = translator.translate("veo-3.1-generate-001", json("""
                { "instances": [ { "prompt": "p", "referenceImages": [
                    { "image": { "bytesBase64Encoded": "$START" }, "referenceType": "STYLE" } ] } ] }
                """), VeoDialect.VERTEX);
        assertThat(veo.request().images()).extracting(InputImage::role).containsExactly(ImageRole.STYLE);
    }

    @Test
    void unknownFieldsAtEveryLevelAreNamedTogether() {
        GoogleApiException e = rejected("veo-3.1-generate-001", """
                { "instances": [ { "prompt": "p", "promt2": "x",
                    "image": { "bytesBase64Encoded": "$START", "mime": "image/png" } } ],
                  "parameters": { "durationSeconds": 8, "duration": 8 }, "extra": 1 }
                """, VeoDialect.GEMINI);
        assertThat(e.httpStatus()).isEqualTo(400);
        assertThat(e.status()).isEqualTo("INVALID_ARGUMENT");
        assertThat(e.fieldViolations()).extracting(FieldViolation::field).containsExactlyInAnyOrder(
                "extra", "instances[0].promt2", "instances[0].image.mime", "parameters.duration");
        assertThat(e.getMessage()).contains("unknown field parameters.duration; known fields here: aspectRatio");
    }

    @Test
    void valuesOfTheWrongTypeAreNamed() {
        GoogleApiException e = rejected("veo-3.1-generate-001", """
                { "instances": [ { "prompt": 7 } ],
                  "parameters": { "durationSeconds": "eight", "seed": true, "generateAudio": "yes",
                                  "aspectRatio": 16, "resizeMode": "stretch" } }
                """, VeoDialect.VERTEX);
        assertThat(e.fieldViolations()).extracting(FieldViolation::field).containsExactlyInAnyOrder(
                "instances[0].prompt", "parameters.durationSeconds", "parameters.seed", "parameters.generateAudio",
                "parameters.aspectRatio", "parameters.resizeMode");
        assertThat(e.getMessage())
                .contains("parameters.durationSeconds must be a whole number (as a number or a string of digits); got \"eight\"")
                .contains("parameters.resizeMode=stretch is not allowed; allowed: pad, crop");
    }

    @Test
    void aNonImageAndBadBase64AreRefused() {
        String notImage = TestImages.base64("just some text, not a picture".getBytes());
        GoogleApiException e = rejected("veo-3.1-generate-001", """
                { "instances": [ { "prompt": "p",
                    "image": { "bytesBase64Encoded": "%s", "mimeType": "image/png" },
                    "lastFrame": { "bytesBase64Encoded": "@@not base64@@" } } ] }
                """.formatted(notImage), VeoDialect.GEMINI);
        assertThat(e.fieldViolations()).extracting(FieldViolation::field).containsExactlyInAnyOrder(
                "instances[0].image.bytesBase64Encoded", "instances[0].lastFrame.bytesBase64Encoded");
        assertThat(e.getMessage()).contains("instances[0].image.bytesBase64Encoded is not a PNG, JPEG or WebP image")
                .contains("instances[0].lastFrame.bytesBase64Encoded is not valid base64");
    }

    @Test
    void anUnsupportedMimeTypeIsRefused() {
        GoogleApiException e = rejected("veo-3.1-generate-001", """
                { "instances": [ { "image": { "bytesBase64Encoded": "$START", "mimeType": "image/tiff" } } ] }
                """, VeoDialect.VERTEX);
        assertThat(e.fieldViolations()).extracting(FieldViolation::field).containsExactly("instances[0].image.mimeType");
    }

    @Test
    void aGcsUriFramegateCannotFetchIsAClear400() {
        GoogleApiException e = rejected("veo-3.1-generate-001", """
                { "instances": [ { "prompt": "p", "image": { "gcsUri": "gs://b/first.png", "mimeType": "image/png" } } ] }
                """, VeoDialect.VERTEX);
        assertThat(e.fieldViolations()).extracting(FieldViolation::field).containsExactly("instances[0].image.gcsUri");
        assertThat(e.getMessage()).contains("gs://b/first.png cannot be fetched");
    }

    /**
     * What a name resolves to is checked like uploaded bytes (the real names are read by {@link ResultUris}, proven
     * through a running server in {@code VeoResultUrisTest}): a stored file that is no image is refused, and a frame
     * of a result becomes a placeholder the worker fills.
     */
    @Test
    void aNamedImageIsCheckedLikeUploadedBytesAndAFrameIsLeftToTheWorker() {
        byte[] mp4 = {0, 0, 0, 24, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm', 0, 0, 2, 0, 'i', 's', 'o', 'm', 'm', 'p', '4', '1'};
        MediaResolver resolver = new MediaResolver() {
            @Override
            public Optional<ResolvedMedia> resolve(String uri) {
                return Optional.empty();
            }

            @Override
            public Optional<NamedImage> resolveImage(String uri) {
                return switch (uri) {
                    case "gs://b/op/input_0" -> Optional.of(new StoredImage("video_1", mp4.length, () -> mp4));
                    case "gs://b/op/sample_0_frame_7.png" -> Optional.of(new FrameOf("video_1", 0, 7));
                    default -> Optional.empty();
                };
            }
        };
        GoogleApiException e = catchThrowableOfType(GoogleApiException.class, () -> new VeoRequestTranslator(resolver)
                .translate("veo-3.1-generate-001", json("""
                { "instances": [ { "prompt": "p", "image": { "gcsUri": "gs://b/op/input_0", "mimeType": "image/png" } } ] }
                """), VeoDialect.VERTEX));
        assertThat(e.fieldViolations()).extracting(FieldViolation::field).containsExactly("instances[0].image.gcsUri");
        assertThat(e.getMessage()).contains("not a PNG, JPEG or WebP");

        VeoRequest veo = new VeoRequestTranslator(resolver).translate("veo-3.1-generate-001", json("""
                { "instances": [ { "prompt": "p", "image": { "gcsUri": "gs://b/op/sample_0_frame_7.png" } } ] }
                """), VeoDialect.VERTEX);
        InputImage frame = veo.request().imagesWith(ImageRole.FIRST_FRAME).get(0);
        assertThat(io.framegate.server.jobs.ResultFrame.parse(frame))
                .contains(new io.framegate.server.jobs.ResultFrame.Ref("video_1", 0, 7));
    }

    @Test
    void anExtensionVideoMustNameAFramegateResult() {
        String uri = "https://h/v1beta/files/" + VeoIds.fileId("video_abc", 0) + ":download?alt=media";
        MediaResolver resolver = u -> VeoOperations.parseVideoUri(u)
                .map(ref -> new MediaResolver.ResolvedMedia(ref.jobId(), ref.index(), () -> {
                    throw new AssertionError("an extension needs no bytes");
                }));
        VeoRequest veo = new VeoRequestTranslator(resolver).translate("veo-3.1-generate-001", json("""
                { "instances": [ { "prompt": "go on", "video": { "uri": "%s" } } ] }
                """.formatted(uri)), VeoDialect.GEMINI);
        assertThat(veo.extension().sourceJobId()).isEqualTo("video_abc");
        assertThat(veo.extension().sourceIndex()).isZero();

        GoogleApiException e = rejected("veo-3.1-generate-001", """
                { "instances": [ { "prompt": "go on", "video": { "gcsUri": "gs://elsewhere/v.mp4" } } ] }
                """, VeoDialect.VERTEX);
        assertThat(e.fieldViolations()).extracting(FieldViolation::field).containsExactly("instances[0].video.gcsUri");

        GoogleApiException bytes = rejected("veo-3.1-generate-001", """
                { "instances": [ { "prompt": "go on", "video": { "bytesBase64Encoded": "AAAAGGZ0eXA=", "mimeType": "video/mp4" } } ] }
                """, VeoDialect.VERTEX);
        assertThat(bytes.getMessage()).contains("instances[0].video gives the video as bytes; Framegate extends only videos it produced");
    }

    @Test
    void instancesMustHoldExactlyOne() {
        assertThat(rejected("veo-3.1-generate-001", "{\"parameters\": {}}", VeoDialect.GEMINI).fieldViolations())
                .extracting(FieldViolation::field).containsExactly("instances");
        assertThat(rejected("veo-3.1-generate-001", "{\"instances\": [{}, {}]}", VeoDialect.GEMINI).getMessage())
                .contains("instances holds 2 instances; Veo takes exactly one");
        assertThat(rejected("veo-3.1-generate-001", "[1, 2]", VeoDialect.GEMINI).getMessage())
                .contains("request body must be a JSON object");
    }

    @Test
    void sampleCountAndNumberOfVideosMustAgree() {
        assertThat(rejected("veo-3.1-generate-001", """
                {"instances": [{"prompt": "p"}], "parameters": {"sampleCount": 1, "numberOfVideos": 2}}
                """, VeoDialect.VERTEX).fieldViolations()).extracting(FieldViolation::field)
                .containsExactly("parameters.numberOfVideos");
    }

    @Test
    void aMaskIsRefusedByName() {
        assertThat(rejected("veo-3.1-generate-001", """
                {"instances": [{"prompt": "p", "mask": {"gcsUri": "gs://b/m.png", "maskMode": "INSERT"}}]}
                """, VeoDialect.VERTEX).getMessage()).contains("instances[0].mask (mask-based video editing) is not supported");
    }

    @Test
    void aBodyModelThatContradictsThePathIsRefused() {
        assertThat(translator.translate("veo-3.1-generate-001",
                json("{\"model\": \"models/veo-3.1-generate-001\", \"instances\": [{\"prompt\": \"p\"}]}"),
                VeoDialect.GEMINI).request().model()).isEqualTo("veo-3.1-generate-001");
        assertThat(rejected("veo-3.1-generate-001", "{\"model\": \"models/other\", \"instances\": [{\"prompt\": \"p\"}]}",
                VeoDialect.GEMINI).fieldViolations()).extracting(FieldViolation::field).containsExactly("model");
    }

    @Test
    void storageUriMustBeCloudStorage() {
        assertThat(rejected("veo-3.1-generate-001", """
                {"instances": [{"prompt": "p"}], "parameters": {"storageUri": "/tmp/out"}}
                """, VeoDialect.VERTEX).getMessage()).contains("parameters.storageUri=/tmp/out is not a Cloud Storage URI");
    }

    /** docs/events.md, Veo webhookConfig: {@code user_metadata} as the docs spell it and {@code userMetadata} as the SDKs do. */
    @Test
    void webhookConfigIsReadInBothKeyStyles() {
        for (String metadataKey : List.of("user_metadata", "userMetadata")) {
            VeoRequest veo = translator.translate("veo-3.1-generate-001", json("""
                    {"instances": [{"prompt": "p"}],
                     "webhookConfig": {"uris": ["https://example.test/hook"], "%s": {"order": 17, "team": "film"}}}
                    """.formatted(metadataKey)), VeoDialect.GEMINI);
            assertThat(veo.webhookUris()).as(metadataKey).containsExactly("https://example.test/hook");
            assertThat(veo.webhookMetadata()).as(metadataKey).isEqualTo(Map.of("order", "17", "team", "film"));
        }
    }

    @Test
    void personGenerationInEveryCasing() {
        assertThat(VeoRequestTranslator.personGeneration("ALLOW_ALL")).isEqualTo("allow_all");
        assertThat(VeoRequestTranslator.personGeneration("allowAdult")).isEqualTo("allow_adult");
        assertThat(VeoRequestTranslator.personGeneration("dont-allow")).isEqualTo("dont_allow");
    }

    @Test
    void domainViolationsComeBackInVeoTerms() {
        VeoRequest veo = translator.translate("veo-3.1-generate-001", json("""
                { "instances": [ { "prompt": "p", "image": { "bytesBase64Encoded": "$START" },
                    "referenceImages": [ { "image": { "bytesBase64Encoded": "$END" }, "referenceType": "ASSET" } ] } ],
                  "parameters": { "durationSeconds": 5, "numberOfVideos": 9, "personGeneration": "sometimes" } }
                """), VeoDialect.GEMINI);
        ValidationException ve = catchThrowableOfType(ValidationException.class, () -> validator.validate(veo.request()));
        GoogleApiException e = VeoValidationErrors.toGoogle(ve, veo, "v1beta");
        assertThat(e.httpStatus()).isEqualTo(400);
        assertThat(e.fieldViolations()).extracting(FieldViolation::field).contains(
                "parameters.durationSeconds", "parameters.numberOfVideos", "parameters.personGeneration",
                "instances[0].image");
        assertThat(e.getMessage()).contains("durationSeconds=5 is not allowed for veo-3.1-generate-001; allowed: 4, 6, 8")
                .contains("numberOfVideos=9 is not allowed").contains("personGeneration=sometimes is not allowed")
                .doesNotContain("number_of_videos").doesNotContain("person_generation");
    }

    @Test
    void anUnknownModelIsNotFound() {
        VeoRequest veo = translator.translate("veo-9", json("{\"instances\": [{\"prompt\": \"p\"}]}"), VeoDialect.GEMINI);
        ValidationException ve = catchThrowableOfType(ValidationException.class, () -> validator.validate(veo.request()));
        GoogleApiException e = VeoValidationErrors.toGoogle(ve, veo, "v1beta");
        assertThat(e.httpStatus()).isEqualTo(404);
        assertThat(e.status()).isEqualTo("NOT_FOUND");
        assertThat(e.getMessage()).startsWith("models/veo-9 is not found for API version v1beta");
    }

    @Test
    void errorEnvelopeHasGoogleShape() {
        JsonNode body = GoogleApiException.invalidArgument("parameters.seed", "parameters.seed must be a whole number").toJson();
        assertThat(body.at("/error/code").asInt()).isEqualTo(400);
        assertThat(body.at("/error/status").asText()).isEqualTo("INVALID_ARGUMENT");
        assertThat(body.at("/error/message").asText()).isEqualTo("parameters.seed must be a whole number");
        assertThat(body.at("/error/details/0/@type").asText()).isEqualTo("type.googleapis.com/google.rpc.BadRequest");
        assertThat(body.at("/error/details/0/fieldViolations/0/field").asText()).isEqualTo("parameters.seed");
    }
}
