package io.framegate.server.openai;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.framegate.server.AccessLog;
import io.framegate.server.ErrorRenderer;
import io.framegate.server.HttpContent;
import io.framegate.server.ServerContext;
import io.framegate.server.jobs.AdminJob;
import io.framegate.server.jobs.ContentVariant;
import io.framegate.server.jobs.Job;
import io.framegate.server.jobs.JobContent;
import io.framegate.server.jobs.NoSuchJobException;
import io.framegate.server.links.SignedUrls;
import io.javalin.http.Context;

import java.io.IOException;
import java.net.URI;
import java.util.Set;

import static io.framegate.server.openai.OpenAiBody.checkQuery;

/**
 * {@code video_url} and the previews' links on the OpenAI surface: adds them to completed video objects, and serves
 * {@code GET /v1/videos/{id}/content/signed} without an API key (the signature, over the job's owner, id, variant
 * and expiry, is checked against the job as stored).
 */
final class SignedContent {
    private final ServerContext ctx;
    private final VideoJson videoJson;
    private final ErrorRenderer renderer;

    SignedContent(ServerContext ctx, VideoJson videoJson, ErrorRenderer renderer) {
        this.ctx = ctx;
        this.videoJson = videoJson;
        this.renderer = renderer;
    }

    /**
     * The video object with absolute signed links once it is completed; they start with the public or request origin.
     * Past its {@code expires_at} its files are gone: no links (any link would be dead, and a fresh one too).
     */
    ObjectNode video(Context c, Job job) {
        SignedUrls signer = ctx.signedUrls();
        if (signer == null || ctx.jobs().contentExpired(job)) return videoJson.video(job);
        String base = signer.publicBase().orElseGet(() -> {
            URI u = URI.create(c.url());
            return u.getScheme() + "://" + u.getRawAuthority();
        });
        return videoJson.video(job, (j, variant) -> base + signer.path(j.ownerKeyId(), j.id(), variant, j.expiresAt()));
    }

    /** Streams the file with Range like {@code /content} (or redirects to a presigned URL with {@code downloads: redirect}). */
    void content(Context c) throws IOException {
        c.attribute(ErrorRenderer.ATTRIBUTE, renderer);
        checkQuery(c, Set.of("variant", "expires", "signature"));
        String id = c.pathParam("video_id");
        ContentVariant variant = ContentVariant.parse(c.queryParam("variant")).orElseThrow(() -> refused(
                "variant", "The signed URL names no known variant; ask for the video again to get a fresh URL."));
        long expires;
        try {
            expires = Long.parseLong(String.valueOf(c.queryParam("expires")));
        } catch (NumberFormatException e) {
            throw refused("expires", "The signed URL has no valid expires parameter; ask for the video again to get "
                    + "a fresh URL.");
        }
        Job job = ctx.jobs().findAny(id).map(AdminJob::job).orElseThrow(() -> new NoSuchJobException(id));
        SignedUrls signer = ctx.signedUrls();
        SignedUrls.Refusal refusal = signer == null ? SignedUrls.Refusal.BAD_SIGNATURE
                : signer.check(job.ownerKeyId(), id, variant, expires, c.queryParam("signature"));
        if (refusal == SignedUrls.Refusal.BAD_SIGNATURE) {
            throw refused("signature", "The signature of this URL does not match it (the URL was changed, or the "
                    + "server's signing secret was replaced). Ask for the video again to get a fresh URL.");
        }
        // the video's own content is gone: 410 video_expired (a fresh link would not help)
        ctx.jobs().checkNotExpired(job);
        if (refusal == SignedUrls.Refusal.EXPIRED) {
            throw new OpenAiError(403, "invalid_request_error", "expires", "signed_url_expired", "This signed URL "
                    + "expired at " + expires + " (epoch seconds). Retrieve the video again (GET /v1/videos/" + id
                    + ") for a fresh video_url.");
        }
        c.attribute(AccessLog.KEY_ATTRIBUTE, job.ownerKeyId());
        c.header("Cache-Control", "private, max-age=300");
        JobContent content = ctx.jobs().openContent(job.ownerKeyId(), id, variant, 0).orElseThrow(() ->
                new OpenAiError(404, "invalid_request_error", "variant", "variant_not_available",
                        "Video " + id + " has no " + variant.wireName() + "."));
        HttpContent.send(c, content);
    }

    private static OpenAiError refused(String param, String message) {
        return new OpenAiError(403, "invalid_request_error", param, "invalid_signature", message);
    }
}
