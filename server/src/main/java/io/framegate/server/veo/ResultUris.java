package io.framegate.server.veo;

import io.framegate.server.jobs.ContentVariant;
import io.framegate.server.jobs.JobContent;
import io.framegate.server.jobs.JobService;
import io.framegate.server.jobs.ResultFrame;
import io.framegate.server.storage.StoredObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The URIs under which a Veo request may name one key's results: videos (to extend) as handed out (Gemini
 * {@code files/<id>:download}, Vertex {@code <storageUri>/<operationId>/sample_<i>.mp4}), and images beside them:
 * <ul>
 *   <li>{@code gs://<any>/<operationId>/sample_<i>_thumbnail.webp}: the thumbnail of video i;</li>
 *   <li>{@code gs://<any>/<operationId>/sample_<i>_frame_<n>.png}: frame n (from 0) of video i, or
 *       {@code _frame_last.png};</li>
 *   <li>{@code gs://<any>/<operationId>/input_<k>.png} (any image extension, or none): the k-th image the job's
 *       request gave, counted from 0.</li>
 * </ul>
 * A name of a job the key does not own is NOT_FOUND, exactly as a name of no job: nothing tells the two apart. A
 * name of the caller's job past its {@code expires_at} is {@code ContentExpiredException} (410), whatever file it names.
 */
final class ResultUris implements MediaResolver {
    private static final Pattern IMAGE_URI = Pattern.compile("^gs://.+/(z?[0-9a-f]+)/(?:sample_(\\d{1,4})_(?:"
            + "(thumbnail)\\.webp|frame_(\\d{1,6}|last)\\.png)|input_(\\d{1,2})(?:\\.(?:png|jpe?g|webp))?)$");

    private final JobService jobs;
    private final String keyId;

    ResultUris(JobService jobs, String keyId) {
        this.jobs = jobs;
        this.keyId = keyId;
    }

    @Override
    public Optional<ResolvedMedia> resolve(String uri) {
        Optional<VeoIds.FileRef> ref = VeoOperations.parseVideoUri(uri);
        if (ref.isEmpty()) return Optional.empty();
        JobContent video = open(uri, ref.get().jobId(), ContentVariant.VIDEO, ref.get().index());
        return Optional.of(new MediaResolver.ResolvedMedia(ref.get().jobId(), ref.get().index(), video.object().size(),
                reader(video.object())));
    }

    @Override
    public Optional<NamedImage> resolveImage(String uri) {
        Matcher m = IMAGE_URI.matcher(uri.trim());
        if (!m.matches()) return Optional.empty();
        String jobId = VeoIds.jobIdOfOperation(m.group(1)).orElseThrow(() -> notFound(uri));
        var job = jobs.get(keyId, jobId).orElseThrow(() -> notFound(uri));
        if (m.group(5) != null) {
            jobs.checkNotExpired(job); // past expires_at every file of the job is gone, its inputs too
            StoredObject input = jobs.openInput(keyId, jobId, Integer.parseInt(m.group(5))).orElseThrow(() -> notFound(uri));
            return Optional.of(new StoredImage(jobId, input.size(), reader(input)));
        }
        int index = Integer.parseInt(m.group(2));
        if (m.group(3) != null) {
            JobContent thumb = open(uri, jobId, ContentVariant.THUMBNAIL, index);
            return Optional.of(new StoredImage(jobId, thumb.object().size(), reader(thumb.object())));
        }
        open(uri, jobId, ContentVariant.VIDEO, index); // completed, not expired, has that video
        String frame = m.group(4);
        return Optional.of(new FrameOf(jobId, index, "last".equals(frame) ? ResultFrame.LAST : Integer.parseInt(frame)));
    }

    /** The variant of the caller's job; NOT_FOUND for another key's job, no such job, or no such video of it. */
    private JobContent open(String uri, String jobId, ContentVariant variant, int index) {
        return jobs.openContent(keyId, jobId, variant, index).orElseThrow(() -> notFound(uri));
    }

    private static GoogleApiException notFound(String uri) {
        return GoogleApiException.notFound("File " + uri + " not found.");
    }

    private static Supplier<byte[]> reader(StoredObject object) {
        return () -> {
            try {
                return object.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }
}
