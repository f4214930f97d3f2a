package io.framegate.server.veo;

import com.fasterxml.jackson.databind.JsonNode;
import io.framegate.domain.JobStatus;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

class VeoOperationsTest {
    private static final String BASE = "http://127.0.0.1:8080";
    private static final VeoOperations.VideoBytes BYTES =
            (job, i) -> ("mp4 of " + job + " #" + i).getBytes(StandardCharsets.UTF_8);

    private static VeoJobView job(JobStatus status, int videos, String errorCode, String errorMessage, String storageUri) {
        return new VeoJobView("video_0a1b9f", "veo-3.1-generate-001", status, status.isFinal() ? 100 : 40, videos,
                errorCode, errorMessage, "local", true, java.math.BigDecimal.ZERO, storageUri, null);
    }

    @Test
    void idsAreLowercaseAlphanumericAndReversible() {
        for (String jobId : new String[] {"video_68d7512d07848190b3e45da0ecbebcde", "Job-ÄÖ/1", "x"}) {
            String op = VeoIds.operationId(jobId);
            assertThat(op).matches("[a-z0-9]+");
            assertThat(VeoIds.jobIdOfOperation(op)).contains(jobId);
            String file = VeoIds.fileId(jobId, 3);
            assertThat(file).matches("[a-z0-9]+");
            assertThat(VeoIds.parseFileId(file)).contains(new VeoIds.FileRef(jobId, 3));
        }
        assertThat(VeoIds.operationId("video_68d7512d07848190b3e45da0ecbebcde")).isEqualTo("68d7512d07848190b3e45da0ecbebcde");
        assertThat(VeoIds.operationId("Job-1")).startsWith("z");
        assertThat(VeoIds.jobIdOfOperation("xyz")).isEmpty();
        assertThat(VeoIds.parseFileId("abc")).isEmpty();
    }

    @Test
    void operationNamesInAllThreeForms() {
        for (String name : new String[] {
                "models/veo-3.1-generate-preview/operations/ld6i6vp968tt",
                "projects/P/locations/us-central1/publishers/google/models/veo-3.1-generate-001/operations/a1b0",
                "publishers/google/models/veo-3.1-generate-001/operations/a1b0"}) {
            VeoOperationName parsed = VeoOperationName.parse(name).orElseThrow();
            assertThat(parsed.toString()).isEqualTo(name);
        }
        VeoOperationName vertex = VeoOperationName.parse(
                "projects/P/locations/L/publishers/google/models/m/operations/ab").orElseThrow();
        assertThat(vertex.dialect()).isEqualTo(VeoDialect.VERTEX);
        assertThat(vertex.project()).isEqualTo("P");
        assertThat(vertex.location()).isEqualTo("L");
        assertThat(vertex.model()).isEqualTo("m");
        assertThat(vertex.express()).isFalse();
        assertThat(VeoOperationName.parse("publishers/google/models/m/operations/ab").orElseThrow().express()).isTrue();
        assertThat(VeoOperationName.parse("models/m")).isEmpty();
        assertThat(VeoOperationName.parse("operations/ab")).isEmpty();
    }

    @Test
    void runningOperationIsNotDoneAndCarriesProgress() {
        VeoJobView running = job(JobStatus.IN_PROGRESS, 1, null, null, null);
        JsonNode op = VeoOperations.operation(VeoOperationName.gemini("veo-3.1-generate-001", "ab"), running, BASE,
                "v1beta", BYTES);
        assertThat(op.get("name").asText()).isEqualTo("models/veo-3.1-generate-001/operations/ab");
        assertThat(op.get("done").asBoolean()).isFalse();
        assertThat(op.has("response")).isFalse();
        assertThat(op.has("error")).isFalse();
        assertThat(op.at("/metadata/framegate/progress").asInt()).isEqualTo(40);
        assertThat(op.at("/metadata/framegate/local_render").asBoolean()).isTrue();
        assertThat(op.at("/metadata/framegate/backend").asText()).isEqualTo("local");
    }

    @Test
    void geminiResultHasDownloadUrisTheSdksCanParse() {
        VeoJobView done = job(JobStatus.COMPLETED, 2, null, null, null);
        JsonNode op = VeoOperations.operation(VeoOperationName.gemini("veo-3.1-generate-001", "ab"), done,
                "http://my.host:9000", "v1beta", BYTES);
        assertThat(op.get("done").asBoolean()).isTrue();
        JsonNode resp = op.get("response");
        assertThat(resp.get("@type").asText()).isEqualTo(VeoOperations.GEMINI_RESPONSE_TYPE);
        JsonNode samples = resp.at("/generateVideoResponse/generatedSamples");
        assertThat(samples.size()).isEqualTo(2);
        assertThat(resp.at("/generateVideoResponse/raiMediaFilteredCount").asInt()).isZero();
        for (int i = 0; i < 2; i++) {
            String uri = samples.get(i).at("/video/uri").asText();
            assertThat(uri).matches("https://my\\.host:9000/v1beta/files/[a-z0-9]+:download\\?alt=media");
            // what the SDKs do: first [a-z0-9]+ after "files/"
            String sdkFileId = uri.split("files/")[1].replaceAll("[^a-z0-9].*$", "");
            assertThat(VeoIds.parseFileId(sdkFileId)).contains(new VeoIds.FileRef("video_0a1b9f", i));
            assertThat(VeoOperations.parseVideoUri(uri)).contains(new VeoIds.FileRef("video_0a1b9f", i));
        }
        assertThat(op.at("/metadata/framegate/download_urls/0").asText()).startsWith("http://my.host:9000/v1beta/files/");
    }

    @Test
    void vertexResultCarriesInlineBytes() throws Exception {
        VeoJobView done = job(JobStatus.COMPLETED, 1, null, null, null);
        JsonNode op = VeoOperations.operation(VeoOperationName.vertex("P", "L", "veo-3.1-generate-001", "ab"), done,
                BASE, "v1beta1", BYTES);
        JsonNode resp = op.get("response");
        assertThat(resp.get("@type").asText()).isEqualTo(VeoOperations.VERTEX_RESPONSE_TYPE);
        assertThat(resp.get("raiMediaFilteredCount").asInt()).isZero();
        assertThat(resp.at("/videos/0/mimeType").asText()).isEqualTo("video/mp4");
        assertThat(Base64.getDecoder().decode(resp.at("/videos/0/bytesBase64Encoded").asText()))
                .isEqualTo(BYTES.read("video_0a1b9f", 0));
    }

    @Test
    void vertexResultWithStorageUriNamesResolvableGcsUris() {
        VeoJobView done = job(JobStatus.COMPLETED, 2, null, null, "gs://bucket/out/");
        JsonNode op = VeoOperations.operation(VeoOperationName.vertex(null, null, "veo-3.1-generate-001", "ab"), done,
                BASE, "v1beta1", BYTES);
        JsonNode videos = op.at("/response/videos");
        assertThat(videos.size()).isEqualTo(2);
        String uri = videos.get(1).get("gcsUri").asText();
        assertThat(uri).startsWith("gs://bucket/out/").endsWith("/sample_1.mp4");
        assertThat(videos.get(1).has("bytesBase64Encoded")).isFalse();
        assertThat(VeoOperations.parseVideoUri(uri)).contains(new VeoIds.FileRef("video_0a1b9f", 1));
    }

    @Test
    void failedJobIsDoneWithAnRpcError() {
        JsonNode op = VeoOperations.operation(VeoOperationName.gemini("m", "ab"),
                job(JobStatus.FAILED, 1, "upstream_failed", "the engine crashed", null), BASE, "v1beta", BYTES);
        assertThat(op.get("done").asBoolean()).isTrue();
        assertThat(op.has("response")).isFalse();
        assertThat(op.at("/error/code").asInt()).isEqualTo(13);
        assertThat(op.at("/error/status").asText()).isEqualTo("INTERNAL");
        assertThat(op.at("/error/message").asText()).isEqualTo("the engine crashed");

        JsonNode bad = VeoOperations.operation(VeoOperationName.gemini("m", "ab"),
                job(JobStatus.FAILED, 1, "bad_image", "cannot decode image", null), BASE, "v1beta", BYTES);
        assertThat(bad.at("/error/code").asInt()).isEqualTo(3);
    }

    @Test
    void filteredContentIsDoneWithoutVideosAndWithRaiFields() {
        VeoJobView filtered = job(JobStatus.FAILED, 1, "content_filtered", "Framegate could not generate 1 videos", null);
        JsonNode gemini = VeoOperations.operation(VeoOperationName.gemini("m", "ab"), filtered, BASE, "v1beta", BYTES);
        assertThat(gemini.has("error")).isFalse();
        assertThat(gemini.at("/response/generateVideoResponse/raiMediaFilteredCount").asInt()).isEqualTo(1);
        assertThat(gemini.at("/response/generateVideoResponse/raiMediaFilteredReasons/0").asText())
                .isEqualTo("Framegate could not generate 1 videos");
        assertThat(gemini.at("/response/generateVideoResponse").has("generatedSamples")).isFalse();

        JsonNode vertex = VeoOperations.operation(VeoOperationName.vertex("P", "L", "m", "ab"), filtered, BASE,
                "v1beta1", BYTES);
        assertThat(vertex.at("/response/raiMediaFilteredCount").asInt()).isEqualTo(1);
        assertThat(vertex.at("/response/videos").size()).isZero();
    }

    @Test
    void gcsUrisRoundTripForAnyJobId() {
        String uri = VeoOperations.gcsUri("gs://b/dir", "Job-1", 2);
        assertThat(uri).isEqualTo("gs://b/dir/" + VeoIds.operationId("Job-1") + "/sample_2.mp4");
        assertThat(VeoOperations.parseVideoUri(uri)).contains(new VeoIds.FileRef("Job-1", 2));
    }

    @Test
    void parseVideoUriRefusesForeignUris() {
        assertThat(VeoOperations.parseVideoUri("gs://b/first.png")).isEmpty();
        assertThat(VeoOperations.parseVideoUri("https://generativelanguage.googleapis.com/v1beta/files/zsmxt6ue9jk1:download?alt=media"))
                .isEmpty();
        assertThat(VeoOperations.parseVideoUri("files/" + VeoIds.fileId("j", 0)))
                .contains(new VeoIds.FileRef("j", 0));
    }
}
