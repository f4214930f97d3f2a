package io.framegate.provider.minimax;

import com.fasterxml.jackson.databind.JsonNode;
import io.framegate.domain.ImageRole;
import io.framegate.domain.ModelSpec;
import io.framegate.domain.OutputFiles;
import io.framegate.provider.FittedImage;
import io.framegate.provider.Http;
import io.framegate.provider.ImageConstraints;
import io.framegate.provider.Poll;
import io.framegate.provider.ResultRef;
import io.framegate.provider.Secret;
import io.framegate.provider.UpstreamException;
import io.framegate.provider.UpstreamJob;
import io.framegate.provider.VideoUpstream;
import io.framegate.provider.WireInput;
import io.framegate.provider.WireRecords;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * MiniMax Hailuo video generation ({@code https://api.minimax.io}, China {@code https://api.minimaxi.com}):
 * {@code POST /v1/video_generation} with {@code first_frame_image} / {@code last_frame_image} as data URLs,
 * {@code GET /v1/query/video_generation?task_id=} to poll, and on {@code Success} {@code GET /v1/files/retrieve?file_id=}
 * for the download URL (a CDN URL, fetched without the key). MiniMax has no cancel endpoint. Errors come as
 * {@code base_resp.status_code} under HTTP 200 and are classified by {@link MiniMaxErrors}.
 */
public final class MiniMaxUpstream implements VideoUpstream {
    public static final String DEFAULT_BASE_URL = "https://api.minimax.io";
    /** FL2V docs: JPG/JPEG/PNG/WebP under 20 MB, short side over 300 px, aspect 2:5 to 5:2 (the frames are fitted to the video's). */
    private static final ImageConstraints IMAGES = new ImageConstraints(Set.of("image/png", "image/jpeg", "image/webp"),
            20L * 1024 * 1024 - 1, false, 2048);
    private static final int MAX_PROMPT = 2000;
    /** A result is named by its file id until the download URL is asked for (it expires within hours). */
    static final String FILE_PREFIX = "minimax-file:";

    private final String base;
    private final Secret apiKey;
    private final Http http;

    public MiniMaxUpstream(String baseUrl, Secret apiKey, Duration requestTimeout) {
        this.base = WireRecords.stripSlash(baseUrl != null ? baseUrl : DEFAULT_BASE_URL);
        this.apiKey = apiKey;
        this.http = new Http(requestTimeout).trusting(base);
    }

    @Override
    public String provider() {
        return "minimax";
    }

    @Override
    public ImageConstraints imageConstraints() {
        return IMAGES;
    }

    /** Roles the model's field map does not name, a last frame alone, or images the model cannot take as data URLs. */
    @Override
    public String refuse(UpstreamJob job) {
        ModelSpec m = job.plan().model();
        List<String> others = job.images().stream()
                .filter(i -> (i.role() != ImageRole.FIRST_FRAME && i.role() != ImageRole.LAST_FRAME)
                        || !WireRecords.sends(m, i.role().wireName()))
                .map(i -> i.role().wireName()).distinct().toList();
        if (!others.isEmpty()) {
            return "MiniMax " + m.id() + " has no field for " + String.join(", ", others) + " images";
        }
        if (!job.imagesWith(ImageRole.LAST_FRAME).isEmpty() && job.imagesWith(ImageRole.FIRST_FRAME).isEmpty()) {
            return "MiniMax takes a last_frame_image only together with a first_frame_image";
        }
        if (!job.images().isEmpty() && !m.wire().acceptsDataUri()) {
            return "MiniMax " + m.id() + " takes image URLs only, and this Framegate serves no public URLs of its inputs";
        }
        String prompt = job.plan().request().prompt();
        if (prompt != null && prompt.length() > MAX_PROMPT) {
            return "prompt has " + prompt.length() + " characters; MiniMax takes at most " + MAX_PROMPT;
        }
        return WireRecords.unsent(job, false);
    }

    /** Only what the model's field map names is sent; MiniMax writes resolutions as {@code 768P}, {@code 1080P}. */
    static MiniMaxWire.CreateRequest body(UpstreamJob job) {
        ModelSpec m = job.plan().model();
        return new MiniMaxWire.CreateRequest(job.upstreamModel(),
                WireRecords.sends(m, "prompt") ? job.plan().request().prompt() : null,
                first(job, ImageRole.FIRST_FRAME), first(job, ImageRole.LAST_FRAME),
                WireRecords.sends(m, "seconds") ? job.plan().seconds() : null,
                WireRecords.sends(m, "resolution") ? job.plan().resolution().toUpperCase(Locale.ROOT) : null);
    }

    private static String first(UpstreamJob job, ImageRole role) {
        List<FittedImage> imgs = job.imagesWith(role);
        return imgs.isEmpty() ? null : WireInput.dataUri(imgs.get(0));
    }

    @Override
    public String submit(UpstreamJob job, String idempotencyKey, Duration timeout) throws UpstreamException {
        String what = "MiniMax video_generation";
        MiniMaxWire.CreateResponse r = WireRecords.post(http, authed(base + "/v1/video_generation"), body(job),
                MiniMaxWire.CreateResponse.class, what, timeout);
        if (r.baseResp() != null && !r.baseResp().ok()) throw MiniMaxErrors.of(r.baseResp(), what);
        return WireRecords.createdId(r.taskId(), what, "task_id");
    }

    @Override
    public Poll poll(String handle, Duration timeout) throws UpstreamException {
        String what = "MiniMax query " + handle;
        MiniMaxWire.QueryResponse r = WireRecords.read(http.json(authed(base + "/v1/query/video_generation?task_id="
                + enc(handle)).GET().build(), what, timeout), MiniMaxWire.QueryResponse.class, what);
        String status = r.status() == null ? "" : r.status();
        switch (status) {
            case "Preparing", "Queueing" -> {
                return new Poll.Running(0, null);
            }
            case "Processing" -> {
                return new Poll.Running(50, null);
            }
            case "Success" -> {
                if (r.fileId() == null || r.fileId().isBlank()) {
                    throw WireRecords.answered(UpstreamException.Kind.TRANSIENT, what + ": Success without a file_id");
                }
                return new Poll.Done(List.of(new ResultRef(FILE_PREFIX + r.fileId(), null, "video/mp4")));
            }
            case "Fail" -> {
                return MiniMaxErrors.failed(r.baseResp());
            }
            default -> {
                // no status: the query itself failed (unknown task, credential, rate limit)
                if (r.baseResp() != null && !r.baseResp().ok()) throw MiniMaxErrors.of(r.baseResp(), what);
                throw WireRecords.answered(UpstreamException.Kind.TRANSIENT, what + ": unknown status "
                        + io.framegate.provider.SafeText.code(status));
            }
        }
    }

    /** Asks for the file's download URL now (it is short-lived), then downloads it without the key. */
    @Override
    public boolean fetch(String handle, ResultRef result, int index, OutputFiles out, Duration timeout)
            throws UpstreamException {
        if (result.uri() == null || !result.uri().startsWith(FILE_PREFIX)) {
            throw new UpstreamException(UpstreamException.Kind.REJECTED, 0, null, "MiniMax result of " + handle + " names no file");
        }
        String fileId = result.uri().substring(FILE_PREFIX.length());
        String what = "MiniMax files/retrieve " + fileId;
        long start = System.nanoTime();
        MiniMaxWire.RetrieveResponse r = WireRecords.read(http.json(authed(base + "/v1/files/retrieve?file_id="
                + enc(fileId)).GET().build(), what, timeout), MiniMaxWire.RetrieveResponse.class, what);
        if (r.baseResp() != null && !r.baseResp().ok()) throw MiniMaxErrors.of(r.baseResp(), what);
        String url = r.file() == null ? null : r.file().downloadUrl();
        if (url == null || !url.startsWith("http")) {
            throw WireRecords.answered(UpstreamException.Kind.TRANSIENT, what + " answered without a download_url");
        }
        HttpRequest.Builder get = WireRecords.sameHost(url, base) ? authed(url) : http.request(url);
        http.download(get.GET().build(), out.video(), "MiniMax download of " + handle,
                timeout.minusNanos(System.nanoTime() - start));
        return false;
    }

    /** MiniMax documents no way to stop a task. */
    @Override
    public boolean cancel(String handle, Duration timeout) {
        return false;
    }

    private HttpRequest.Builder authed(String url) {
        return http.request(url).header("Authorization", "Bearer " + apiKey.reveal());
    }


    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "MiniMaxUpstream[" + base + ", key " + apiKey + "]";
    }
}
