package io.framegate.provider.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.MultipartField;
import com.openai.core.RequestOptions;
import com.openai.core.Timeout;
import com.openai.core.http.HttpResponse;
import com.openai.core.http.HttpResponseFor;
import com.openai.errors.OpenAIException;
import com.openai.errors.OpenAIIoException;
import com.openai.errors.OpenAIServiceException;
import com.openai.models.videos.Video;
import com.openai.models.videos.VideoCreateError;
import com.openai.models.videos.VideoCreateParams;
import com.openai.models.videos.VideoDownloadContentParams;
import com.openai.models.videos.VideoListParams;
import com.openai.models.videos.VideoSeconds;
import com.openai.models.videos.VideoSize;
import io.framegate.domain.ImageRole;
import io.framegate.domain.OutputFiles;
import io.framegate.provider.FittedImage;
import io.framegate.provider.Http;
import io.framegate.provider.ImageConstraints;
import io.framegate.provider.Poll;
import io.framegate.provider.ResultHosts;
import io.framegate.provider.ResultRef;
import io.framegate.provider.SafeText;
import io.framegate.provider.Secret;
import io.framegate.provider.UpstreamException;
import io.framegate.provider.UpstreamJob;
import io.framegate.provider.VideoUpstream;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An OpenAI-compatible {@code /v1/videos} upstream (aggregators, Azure-style deployments), through the official
 * {@code openai-java} SDK with its own retries off (Framegate's {@link io.framegate.provider.Retrier} decides, and
 * honours {@code Retry-After} across channels). Create is multipart with the {@code input_reference} file sized
 * exactly to {@code size}; polling honours {@code openai-poll-after-ms}; the video, thumbnail and spritesheet
 * variants are downloaded from {@code /videos/{id}/content}.
 */
public final class OpenAiUpstream implements VideoUpstream {
    /** Guide: the image must match {@code size}; JPEG, PNG, WebP; data URLs up to 20 MiB. */
    private static final ImageConstraints IMAGES = new ImageConstraints(Set.of("image/png", "image/jpeg", "image/webp"),
            20L * 1024 * 1024, true, 2048);
    /** OpenAI names no failure codes; these words mark a moderation / safety refusal in aggregators' codes and messages. */
    private static final Pattern FILTERED = Pattern.compile(
            "moderation|content[_ ]?policy|content[_ ]?filter|safety|policy[_ ]?violation|blocked", Pattern.CASE_INSENSITIVE);
    private static final Set<String> RUNNING = Set.of("queued", "pending", "not_start", "in_progress", "processing", "running");
    private static final Set<String> DONE = Set.of("completed", "succeeded", "success");
    private static final Set<String> FAILED = Set.of("failed", "failure", "error", "cancelled", "canceled");

    private final String baseUrl;
    private final Secret apiKey;
    private final OpenAIClient client;

    /** @param baseUrl up to and including {@code /v1}, e.g. {@code https://api.example.com/v1} */
    public OpenAiUpstream(String baseUrl, Secret apiKey, Duration requestTimeout) {
        this.baseUrl = baseUrl;
        this.apiKey = apiKey;
        this.client = OpenAIOkHttpClient.builder()
                .baseUrl(baseUrl)
                .apiKey(apiKey.reveal())
                .maxRetries(0)
                .timeout(requestTimeout)
                // OkHttp would silently send a request again on a broken connection, even a create it may already have
                // sent: a second paid job. Framegate's Retrier decides what is sent again.
                .okHttpClient(new okhttp3.OkHttpClient.Builder().retryOnConnectionFailure(false)
                        .addNetworkInterceptor(new AddressGuard(new ResultHosts(List.of(URI.create(baseUrl))))).build())
                .build();
    }

    @Override
    public String provider() {
        return "openai";
    }

    @Override
    public ImageConstraints imageConstraints() {
        return IMAGES;
    }

    /** The API carries one image, {@code input_reference}, which acts as the first frame; nothing else can be sent. */
    @Override
    public String refuse(UpstreamJob job) {
        List<FittedImage> frames = job.images().stream()
                .filter(i -> i.role() == ImageRole.REFERENCE || i.role() == ImageRole.FIRST_FRAME).toList();
        List<String> others = job.images().stream()
                .filter(i -> i.role() != ImageRole.REFERENCE && i.role() != ImageRole.FIRST_FRAME)
                .map(i -> i.role().wireName()).distinct().toList();
        if (!others.isEmpty()) {
            return "the /v1/videos API carries a single input_reference image; " + String.join(", ", others)
                    + " cannot be sent";
        }
        if (frames.size() > 1) return "the /v1/videos API carries a single input_reference image; " + frames.size() + " given";
        return null;
    }

    @Override
    @SuppressWarnings("deprecation") // the SDK marks videos.* deprecated since OpenAI's own Sora API shut down
    public String submit(UpstreamJob job, String idempotencyKey, Duration timeout) throws UpstreamException {
        VideoCreateParams.Builder b = VideoCreateParams.builder()
                .model(job.upstreamModel())
                .seconds(VideoSeconds.of(String.valueOf(job.plan().seconds())))
                .size(VideoSize.of(job.plan().size().toString()));
        if (job.plan().request().prompt() != null) b.prompt(job.plan().request().prompt());
        // The same key on every attempt of a job: an upstream that honours it answers a repeat with the first job.
        if (idempotencyKey != null) b.putAdditionalHeader("Idempotency-Key", idempotencyKey);
        List<FittedImage> refs = job.images().stream()
                .filter(i -> i.role() == ImageRole.REFERENCE || i.role() == ImageRole.FIRST_FRAME).toList();
        if (!refs.isEmpty()) {
            FittedImage ref = refs.get(0);
            b.inputReference(MultipartField.<VideoCreateParams.InputReference>builder()
                    .value(VideoCreateParams.InputReference.ofStream(new ByteArrayInputStream(ref.bytes())))
                    .filename("input_reference." + ref.extension())
                    .contentType(ref.mimeType())
                    .build());
        }
        // v.id() throws when the answer has no id: an answer without a handle is as unclear as no answer
        return call("OpenAI create video", () -> client.videos().create(b.build(), options(timeout)).id());
    }

    @Override
    @SuppressWarnings("deprecation")
    public Poll poll(String handle, Duration timeout) throws UpstreamException {
        try (HttpResponseFor<Video> resp = call("OpenAI retrieve video " + handle,
                () -> client.videos().withRawResponse().retrieve(handle, options(timeout)))) {
            Video v = call("OpenAI retrieve video " + handle, resp::parse);
            Duration pollAfter = pollAfter(resp.headers().values("openai-poll-after-ms"), resp.headers().values("retry-after"));
            String status = v._status().asString().or(() -> v._status().asKnown().map(Video.Status::asString))
                    .orElse("").toLowerCase(Locale.ROOT);
            int progress = v._progress().asKnown().map(Long::intValue).orElse(0);
            if (DONE.contains(status)) return new Poll.Done(List.of(new ResultRef(null, null, "video/mp4")));
            if ("expired".equals(status)) return new Poll.Failed("expired", "the upstream's copy of " + handle + " expired");
            if (FAILED.contains(status)) {
                Optional<VideoCreateError> err = v._error().asKnown();
                String code = err.flatMap(e -> e._code().asKnown()).orElse(null);
                String message = err.flatMap(e -> e._message().asKnown()).orElse("no message");
                if (FILTERED.matcher((code != null ? code : "") + " " + message).find()) {
                    return new Poll.Filtered(message + (code != null ? " (" + code + ")" : ""));
                }
                return new Poll.Failed(code, message);
            }
            return new Poll.Running(progress, pollAfter);
        }
    }

    static Duration pollAfter(List<String> pollAfterMs, List<String> retryAfter) {
        if (!pollAfterMs.isEmpty()) {
            try {
                return Duration.ofMillis(Long.parseLong(pollAfterMs.get(0).trim()));
            } catch (NumberFormatException ignored) {
                // fall through to Retry-After
            }
        }
        return retryAfter.isEmpty() ? null : Http.retryAfter(Optional.of(retryAfter.get(0)));
    }

    @Override
    public boolean fetch(String handle, ResultRef result, int index, OutputFiles out, Duration timeout)
            throws UpstreamException {
        long start = System.nanoTime();
        download(handle, VideoDownloadContentParams.Variant.VIDEO, out.video(), timeout);
        try {
            download(handle, VideoDownloadContentParams.Variant.THUMBNAIL, out.thumbnail(), left(timeout, start));
            download(handle, VideoDownloadContentParams.Variant.SPRITESHEET, out.spritesheet(), left(timeout, start));
            return true;
        } catch (UpstreamException e) {
            // Many compatible upstreams serve only the video; the previews are then made locally.
            return false;
        }
    }

    private static Duration left(Duration timeout, long startNanos) throws UpstreamException {
        Duration left = timeout.minusNanos(System.nanoTime() - startNanos);
        if (left.compareTo(Duration.ofMillis(1)) < 0) {
            throw new UpstreamException(UpstreamException.Kind.TRANSIENT, 0, null, "OpenAI download: timed out");
        }
        return left;
    }

    /** The SDK's OkHttp call timeout spans the whole call, response body included. */
    @SuppressWarnings("deprecation")
    private void download(String handle, VideoDownloadContentParams.Variant variant, Path target, Duration timeout)
            throws UpstreamException {
        String what = "OpenAI download " + variant.asString() + " of " + handle;
        try (HttpResponse resp = call(what, () -> client.videos().downloadContent(handle,
                VideoDownloadContentParams.builder().variant(variant).build(), options(timeout)));
             InputStream in = resp.body()) {
            Path tmp = Files.createTempFile(target.toAbsolutePath().getParent(), ".download-", ".part");
            try {
                copyCapped(in, tmp, what);
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw Http.failure(what, e);
        }
    }

    /** At most {@link Http#MAX_RESULT_BYTES} into {@code file}: a larger body fails for good (it will not shrink). */
    private static void copyCapped(InputStream in, Path file, String what) throws IOException, UpstreamException {
        try (var out = Files.newOutputStream(file)) {
            byte[] buf = new byte[64 * 1024];
            long total = 0;
            for (int n; (n = in.read(buf)) > 0; ) {
                total += n;
                if (total > Http.MAX_RESULT_BYTES) {
                    throw new UpstreamException(UpstreamException.Kind.REJECTED, 200, null, what
                            + ": the result is larger than " + Http.MAX_RESULT_BYTES + " bytes (the most Framegate downloads)");
                }
                out.write(buf, 0, n);
            }
        }
    }

    /**
     * {@code DELETE /videos/{id}}: OpenAI's API has no cancel, and deletes only finished jobs (a running one is
     * refused, which the caller notes); compatible upstreams that stop a running job on DELETE do.
     */
    @Override
    @SuppressWarnings("deprecation")
    public boolean cancel(String handle, Duration timeout) throws UpstreamException {
        call("OpenAI delete video " + handle, () -> client.videos().delete(handle, options(timeout)));
        return true;
    }

    @Override
    public boolean canListJobs() {
        return true;
    }

    /** How far the upstream's clock may be from ours when matching {@code created_at}. */
    private static final Duration CLOCK_SLACK = Duration.ofMinutes(2);
    private static final int LIST_PAGES = 5;

    /**
     * Pages {@code GET /videos?order=desc&limit=100} back to a little before {@code sentAt} and returns the ids of
     * the jobs with this job's model, prompt, size and seconds created since. The Video object carries no metadata,
     * so these fields and the time are all there is to match on; a job whose list entry lacks its prompt never
     * matches (it could be anyone's).
     */
    @Override
    @SuppressWarnings("deprecation")
    public List<String> findSubmitted(UpstreamJob job, Instant sentAt, Instant latest, Duration timeout)
            throws UpstreamException {
        long from = sentAt.minus(CLOCK_SLACK).getEpochSecond();
        long to = latest.plus(CLOCK_SLACK).getEpochSecond();
        List<String> found = new ArrayList<>();
        String after = null;
        long start = System.nanoTime();
        for (int page = 0; page < LIST_PAGES; page++) {
            VideoListParams.Builder params = VideoListParams.builder().limit(100L).order(VideoListParams.Order.DESC);
            if (after != null) params.after(after);
            Duration left = page == 0 ? timeout : left(timeout, start);
            JsonNode list;
            try (HttpResponseFor<?> resp = call("OpenAI list videos",
                    () -> client.videos().withRawResponse().list(params.build(), options(left)));
                 InputStream in = resp.body()) {
                list = Http.JSON.readTree(in);
            } catch (IOException e) {
                throw new UpstreamException(UpstreamException.Kind.TRANSIENT, 200, null,
                        "OpenAI list videos: unreadable answer", e);
            }
            found.addAll(JobListMatch.matching(list, job, from, to));
            if (JobListMatch.reachesBefore(list, from) || !list.path("has_more").asBoolean(false)) break;
            after = list.path("last_id").asText(null);
            if (after == null) break;
        }
        return found;
    }

    /** Per-call timeouts: the whole call (connect, request, answer body) within {@code timeout}. */
    private static RequestOptions options(Duration timeout) {
        Duration connect = timeout.compareTo(CONNECT_TIMEOUT) < 0 ? timeout : CONNECT_TIMEOUT;
        return RequestOptions.builder().timeout(Timeout.builder().request(timeout).connect(connect).read(timeout)
                .write(timeout).build()).build();
    }

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);

    private interface SdkCall<T> {
        T run();
    }

    /**
     * One SDK call, its failure classified in safe words: the status and the upstream's error code or type (when it
     * is a plain token), never the SDK's message, which quotes the upstream's body. The exception keeps no cause
     * either, since the SDK's exceptions carry that body.
     */
    private static <T> T call(String what, SdkCall<T> call) throws UpstreamException {
        try {
            return call.run();
        } catch (OpenAIServiceException e) {
            List<String> ra = e.headers().values("retry-after");
            String code = errorCode(e);
            throw UpstreamException.ofStatus(e.statusCode(), ra.isEmpty() ? null : Http.retryAfter(Optional.of(ra.get(0))),
                    code, SafeText.httpFailure(what, e.statusCode(), code));
        } catch (OpenAIIoException e) {
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (c instanceof AddressGuard.Refused r) {
                    throw new UpstreamException(UpstreamException.Kind.REJECTED, 0, null, ResultHosts.refusal(what, r.host));
                }
            }
            throw Http.failure(what, e);
        } catch (OpenAIException e) {
            // a 2xx answer the SDK cannot read, or one without an id
            throw new UpstreamException(UpstreamException.Kind.TRANSIENT, 200, null, what + ": unreadable answer");
        }
    }


    /** The error body's {@code code}, else its {@code type}, when safe to show (the SDK throws for a missing field). */
    private static String errorCode(OpenAIServiceException e) {
        for (java.util.function.Supplier<Optional<String>> field : List.<java.util.function.Supplier<Optional<String>>>of(e::code, e::type)) {
            try {
                String code = field.get().map(SafeText::code).orElse(null);
                if (code != null) return code;
            } catch (RuntimeException absent) {
                // not in this body
            }
        }
        return null;
    }

    @Override
    public void close() {
        client.close();
    }

    @Override
    public String toString() {
        return "OpenAiUpstream[" + baseUrl + ", key " + apiKey + "]";
    }
}
