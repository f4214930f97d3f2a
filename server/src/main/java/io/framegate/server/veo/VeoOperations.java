package io.framegate.server.veo;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.framegate.domain.JobStatus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes a job as the long-running operation each Google surface returns, and reads back the URIs it hands out.
 * <ul>
 *   <li>Gemini: {@code response.generateVideoResponse.generatedSamples[].video.uri} =
 *       {@code https://<host>/<version>/files/<fileId>:download?alt=media}. The SDKs take {@code <fileId>} from it
 *       (the first {@code [a-z0-9]+} after {@code files/}, only for {@code https://} URIs) and download from their
 *       own base URL, so the scheme is always {@code https}; {@code metadata.framegate.download_urls} carries the
 *       URLs as this server was actually reached.</li>
 *   <li>Vertex: {@code response.videos[]} with {@code bytesBase64Encoded}, or {@code gcsUri} under the request's
 *       {@code storageUri} ({@code <storageUri>/<operationId>/sample_<i>.mp4}); Framegate does not write to Cloud
 *       Storage, but it resolves these URIs when a later request names them (extension, images).</li>
 * </ul>
 * A completed job past its {@code expires_at} keeps its samples' names (a download or a request naming one answers
 * 410), but carries no {@code download_urls} and says in {@code metadata.framegate.warnings} that its videos expired;
 * its Vertex inline videos cannot be read, so that poll is the 410 of expired content.
 * A failed job is {@code done} with {@code error {code, message, status}} (google.rpc codes); a job whose content
 * was filtered is {@code done} without videos and with {@code raiMediaFilteredCount}/{@code raiMediaFilteredReasons},
 * as Google reports it.
 */
public final class VeoOperations {
    public static final String GEMINI_RESPONSE_TYPE =
            "type.googleapis.com/google.ai.generativelanguage.v1beta.PredictLongRunningResponse";
    public static final String VERTEX_RESPONSE_TYPE =
            "type.googleapis.com/cloud.ai.large_models.vision.GenerateVideoResponse";
    private static final Pattern FILES_URI = Pattern.compile("^https?://[^/]+/[^/]+/files/([a-z0-9]+)(?::download)?(?:\\?.*)?$");
    private static final Pattern GCS_URI = Pattern.compile("^gs://.+/(z?[0-9a-f]+)/sample_(\\d{1,4})\\.mp4$");

    /** Reads the MP4 bytes of a job's video, for Vertex's inline results. */
    @FunctionalInterface
    public interface VideoBytes {
        byte[] read(String jobId, int index) throws IOException;
    }

    private VeoOperations() {
    }

    /** The create response: just the operation's name. */
    public static ObjectNode created(VeoOperationName name) {
        ObjectNode op = JsonNodeFactory.instance.objectNode();
        op.put("name", name.toString());
        return op;
    }

    /**
     * The operation as a poll returns it.
     *
     * @param name          the operation's name (its dialect decides the shape)
     * @param job           the job
     * @param publicBaseUrl how the client reached this server, e.g. {@code http://127.0.0.1:8080}
     * @param apiVersion    the API version of the poll's URL ({@code v1beta}, {@code v1}, ...)
     * @param videos        reads video bytes (Vertex without storageUri)
     */
    public static ObjectNode operation(VeoOperationName name, VeoJobView job, String publicBaseUrl, String apiVersion,
                                       VideoBytes videos) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode op = f.objectNode();
        op.put("name", name.toString());
        boolean done = job.status().isFinal();
        op.put("done", done);
        ObjectNode framegate = op.putObject("metadata").putObject("framegate");
        framegate.put("job_id", job.jobId());
        framegate.put("status", job.status().name().toLowerCase());
        framegate.put("progress", job.progress());
        framegate.put("backend", job.backend());
        framegate.put("local_render", job.localRender());
        if (job.costUsd() != null) framegate.put("cost_usd", job.costUsd());
        else framegate.putNull("cost_usd");
        if (!job.warnings().isEmpty()) job.warnings().forEach(framegate.withArray("warnings")::add);
        if (!done) return op;
        boolean expired = job.expiredAt() != null && job.status() == JobStatus.COMPLETED;
        if (expired) {
            framegate.withArray("warnings").add("the videos expired at " + job.expiredAt() + " (retention): their files "
                    + "are deleted, so downloading them or naming them in a request answers 410");
        }

        boolean filtered = job.status() == JobStatus.FAILED && "content_filtered".equals(job.errorCode());
        if (job.status() != JobStatus.COMPLETED && !filtered) {
            ObjectNode error = op.putObject("error");
            RpcCode code = rpcCode(job);
            error.put("code", code.number);
            error.put("message", job.errorMessage() == null ? code.name() : job.errorMessage());
            error.put("status", code.name());
            return op;
        }

        ObjectNode response = op.putObject("response");
        // an expired job's files are gone: its samples keep their names, but no download link is handed out
        ArrayNode downloads = expired ? f.arrayNode() : framegate.putArray("download_urls");
        if (name.dialect() == VeoDialect.GEMINI) {
            response.put("@type", GEMINI_RESPONSE_TYPE);
            ObjectNode gvr = response.putObject("generateVideoResponse");
            if (!filtered) {
                ArrayNode samples = gvr.putArray("generatedSamples");
                for (int i = 0; i < job.videoCount(); i++) {
                    String fileId = VeoIds.fileId(job.jobId(), i);
                    samples.addObject().putObject("video").put("uri",
                            "https://" + host(publicBaseUrl) + "/" + apiVersion + "/files/" + fileId + ":download?alt=media");
                    downloads.add(publicBaseUrl + "/" + apiVersion + "/files/" + fileId + ":download?alt=media");
                }
            }
            rai(gvr, job, filtered);
        } else {
            response.put("@type", VERTEX_RESPONSE_TYPE);
            rai(response, job, filtered);
            ArrayNode list = response.putArray("videos");
            for (int i = 0; !filtered && i < job.videoCount(); i++) {
                ObjectNode v = list.addObject();
                if (job.storageUri() != null) {
                    v.put("gcsUri", gcsUri(job.storageUri(), job.jobId(), i));
                } else {
                    try {
                        v.put("bytesBase64Encoded", Base64.getEncoder().encodeToString(videos.read(job.jobId(), i)));
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot read video " + i + " of job " + job.jobId(), e);
                    }
                }
                v.put("mimeType", "video/mp4");
                String fileId = VeoIds.fileId(job.jobId(), i);
                downloads.add(publicBaseUrl + "/v1beta/files/" + fileId + ":download?alt=media");
            }
        }
        return op;
    }

    private static void rai(ObjectNode target, VeoJobView job, boolean filtered) {
        target.put("raiMediaFilteredCount", filtered ? job.videoCount() : 0);
        if (filtered) {
            target.putArray("raiMediaFilteredReasons").add(job.errorMessage() == null
                    ? "The content was filtered." : job.errorMessage());
        }
    }

    /** {@code <storageUri>/<operationId>/sample_<index>.mp4}, as Vertex lays out its results. */
    public static String gcsUri(String storageUri, String jobId, int index) {
        String base = storageUri.endsWith("/") ? storageUri.substring(0, storageUri.length() - 1) : storageUri;
        return base + "/" + VeoIds.operationId(jobId) + "/sample_" + index + ".mp4";
    }

    /**
     * The job video a URI names, if it is one this surface handed out: a Gemini {@code files/<id>:download} URI
     * (any host and version) or a Vertex {@code gcsUri} from {@link #gcsUri}.
     */
    public static Optional<VeoIds.FileRef> parseVideoUri(String uri) {
        if (uri == null) return Optional.empty();
        Matcher files = FILES_URI.matcher(uri.trim());
        if (files.matches()) return VeoIds.parseFileId(files.group(1));
        Matcher gcs = GCS_URI.matcher(uri.trim());
        if (gcs.matches()) {
            int index = Integer.parseInt(gcs.group(2));
            return VeoIds.jobIdOfOperation(gcs.group(1)).map(job -> new VeoIds.FileRef(job, index));
        }
        if (uri.startsWith("files/")) return VeoIds.parseFileId(uri.substring("files/".length()).split(":")[0]);
        return Optional.empty();
    }

    private static String host(String baseUrl) {
        String rest = baseUrl.replaceFirst("^[a-zA-Z]+://", "");
        int slash = rest.indexOf('/');
        return slash < 0 ? rest : rest.substring(0, slash);
    }

    /** google.rpc.Code values used for failed operations. */
    enum RpcCode {
        CANCELLED(1), INVALID_ARGUMENT(3), DEADLINE_EXCEEDED(4), RESOURCE_EXHAUSTED(8), INTERNAL(13), UNAVAILABLE(14);

        final int number;

        RpcCode(int number) {
            this.number = number;
        }
    }

    private static RpcCode rpcCode(VeoJobView job) {
        if (job.status() == JobStatus.CANCELLED) return RpcCode.CANCELLED;
        String code = job.errorCode() == null ? "" : job.errorCode();
        return switch (code) {
            case "bad_image", "invalid_request", "invalid_argument", "validation_failed" -> RpcCode.INVALID_ARGUMENT;
            case "timeout", "deadline_exceeded" -> RpcCode.DEADLINE_EXCEEDED;
            case "rate_limited", "quota_exceeded" -> RpcCode.RESOURCE_EXHAUSTED;
            case "upstream_unavailable" -> RpcCode.UNAVAILABLE;
            case "cancelled" -> RpcCode.CANCELLED;
            default -> RpcCode.INTERNAL;
        };
    }
}
