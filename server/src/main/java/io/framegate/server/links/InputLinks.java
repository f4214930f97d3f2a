package io.framegate.server.links;

import io.framegate.engine.ImageHeader;
import io.framegate.provider.FittedImage;
import io.framegate.provider.InputUrls;
import io.framegate.server.ApiError;
import io.framegate.server.ErrorRenderer;
import io.framegate.server.storage.ResultStore;
import io.framegate.server.storage.StoredObject;
import io.javalin.Javalin;
import io.javalin.http.Context;

import java.io.IOException;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Short-lived, keyless links to a job's input images as fitted for an upstream that reads images only from URLs
 * (Luma Dream Machine keyframes, OpenRouter frame_images). The image is stored with the job's files (local or the
 * shared bucket), so any instance sharing the storage and the database's signing secret serves the link; the link
 * starts with the operator's public base URL ({@value SignedUrls#PUBLIC_URL_ENV}) and is signed over the job, the
 * file name and the expiry (the job's deadline). {@code GET /v1/inputs/{job_id}/{name}?expires=&signature=}.
 */
public final class InputLinks implements InputUrls {
    public static final String PATH_PREFIX = "/v1/inputs/";
    private static final Pattern NAME = Pattern.compile("upstream-input-\\d{1,3}");
    private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9_-]{1,100}");

    private final ResultStore store;
    private final SignedUrls signer;
    private final String publicBase;

    /** @throws IllegalArgumentException the signer has no public base URL (then no upstream could reach a link) */
    public InputLinks(ResultStore store, SignedUrls signer) {
        this.store = store;
        this.signer = signer;
        this.publicBase = signer.publicBase().orElseThrow(() -> new IllegalArgumentException(
                "input links need a public base URL (" + SignedUrls.PUBLIC_URL_ENV + ")"));
    }

    /** The server's input links when the operator set a public base URL, else none (URL-only routes are refused). */
    public static Optional<InputLinks> of(ResultStore store, SignedUrls signer) {
        return signer != null && signer.publicBase().isPresent() ? Optional.of(new InputLinks(store, signer)) : Optional.empty();
    }

    @Override
    public String publish(String jobId, String name, FittedImage image, Instant until) throws IOException {
        if (!NAME.matcher(name).matches()) throw new IllegalArgumentException("not an input link name: " + name);
        store.put(jobId, name, image.bytes());
        return publicBase + signer.inputPath(jobId, name, until);
    }

    /** The keyless route; the signature is the credential. */
    public static void register(Javalin app, SignedUrls signer, ResultStore store) {
        app.get(PATH_PREFIX + "{job_id}/{name}", c -> serve(c, signer, store));
    }

    private static void serve(Context c, SignedUrls signer, ResultStore store) throws IOException {
        String jobId = c.pathParam("job_id");
        String name = c.pathParam("name");
        long expires;
        try {
            expires = Long.parseLong(String.valueOf(c.queryParam("expires")));
        } catch (NumberFormatException e) {
            refuse(c, 403, "invalid_signature", "expires", "This input link has no valid expires parameter.");
            return;
        }
        SignedUrls.Refusal refusal = signer == null || !NAME.matcher(name).matches() || !JOB_ID.matcher(jobId).matches()
                ? SignedUrls.Refusal.BAD_SIGNATURE : signer.checkInput(jobId, name, expires, c.queryParam("signature"));
        if (refusal == SignedUrls.Refusal.BAD_SIGNATURE) {
            refuse(c, 403, "invalid_signature", "signature", "The signature of this input link does not match it.");
            return;
        }
        if (refusal == SignedUrls.Refusal.EXPIRED) {
            refuse(c, 403, "signed_url_expired", "expires", "This input link expired at " + expires + " (epoch seconds).");
            return;
        }
        Optional<StoredObject> found = store.open(jobId, name);
        if (found.isEmpty()) {
            refuse(c, 404, "not_found", null, "This input image is no longer kept.");
            return;
        }
        byte[] bytes = found.get().readAllBytes();
        c.header("Cache-Control", "private, no-store");
        c.contentType(mediaType(bytes)).result(bytes);
    }

    /** Fitted images are PNG, JPEG or WebP; the stored name carries no extension, so the bytes say which. */
    static String mediaType(byte[] b) {
        String type = ImageHeader.mimeTypeOf(b);
        return type == null ? "application/octet-stream" : type;
    }

    private static void refuse(Context c, int status, String code, String param, String message) {
        ErrorRenderer.PLAIN.render(c, new ApiError(status, code, message, param), null);
    }
}
