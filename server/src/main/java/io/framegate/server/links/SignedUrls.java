package io.framegate.server.links;

import io.framegate.server.jobs.ContentVariant;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * Expiring, signed links to a job's files ({@code video_url}, {@code thumbnail_url}, {@code spritesheet_url}) that
 * work without the API key, so a {@code <video src>} or a plain download can use them. The signature is an HMAC-SHA256
 * over the job's owner key id, the job id, the variant and the expiry, with the server secret {@value #SECRET_NAME}.
 * The owner is not in the URL: the server looks the job up and signs again with its owner, so a link for one job
 * cannot be turned into a link for another, and a deleted job's link stops working.
 * <p>
 * Expiry is rounded up to a {@link #STEP} boundary so that a client polling a finished video sees the same URL for a
 * while (browsers can keep what they loaded); a link is valid for between {@code ttl} and {@code ttl + STEP}, never
 * past the job's own {@code expires_at}.
 */
public final class SignedUrls {
    public static final String SECRET_NAME = "content_url_hmac";
    public static final Duration DEFAULT_TTL = Duration.ofHours(1);
    static final long STEP = 600;

    /** Why a link was refused. */
    public enum Refusal { EXPIRED, BAD_SIGNATURE }

    /** The environment variable naming the server's public origin (behind a proxy), e.g. {@code https://video.example.com}. */
    public static final String PUBLIC_URL_ENV = "FRAMEGATE_PUBLIC_URL";

    private final byte[] key;
    private final Duration ttl;
    private final Clock clock;
    private final String publicBase;

    /** {@code publicBase}: the origin links start with; null to take the origin each request was sent to. */
    public SignedUrls(byte[] key, Duration ttl, Clock clock, String publicBase) {
        this.key = key.clone();
        this.ttl = ttl;
        this.clock = clock;
        this.publicBase = publicBase == null || publicBase.isBlank() ? null : publicBase.strip().replaceAll("/+$", "");
    }

    /** The configured public origin ({@value #PUBLIC_URL_ENV}), if any. */
    public java.util.Optional<String> publicBase() {
        return java.util.Optional.ofNullable(publicBase);
    }

    /** The path and query of a link to {@code variant} of job {@code jobId} (owned by {@code ownerKeyId}). */
    public String path(String ownerKeyId, String jobId, ContentVariant variant, Instant jobExpiresAt) {
        long now = clock.instant().getEpochSecond();
        long expires = ((now + ttl.toSeconds()) / STEP + 1) * STEP;
        if (jobExpiresAt != null) expires = Math.min(expires, jobExpiresAt.getEpochSecond());
        return "/v1/videos/" + jobId + "/content/signed?variant=" + variant.wireName() + "&expires=" + expires
                + "&signature=" + sign(ownerKeyId, jobId, variant, expires);
    }

    /** Null when the link is good now; else why not. A bad signature is reported before an expiry. */
    public Refusal check(String ownerKeyId, String jobId, ContentVariant variant, long expires, String signature) {
        byte[] expected = sign(ownerKeyId, jobId, variant, expires).getBytes(StandardCharsets.US_ASCII);
        byte[] given = signature == null ? new byte[0] : signature.getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, given)) return Refusal.BAD_SIGNATURE;
        return clock.instant().getEpochSecond() >= expires ? Refusal.EXPIRED : null;
    }

    /**
     * The path and query of a link to one stored input image of a job as fitted for an upstream ({@link InputLinks}),
     * valid until {@code until} (rounded up to the second). Its signature covers the job, the file name and the expiry
     * under its own prefix, so it cannot be turned into a content link or a link to another file.
     */
    public String inputPath(String jobId, String name, Instant until) {
        long expires = until.getEpochSecond() + (until.getNano() > 0 ? 1 : 0);
        return InputLinks.PATH_PREFIX + jobId + "/" + name + "?expires=" + expires + "&signature="
                + mac("input-v1\n" + jobId + "\n" + name + "\n" + expires);
    }

    /** Null when the input link is good now; else why not. A bad signature is reported before an expiry. */
    public Refusal checkInput(String jobId, String name, long expires, String signature) {
        return verdict(mac("input-v1\n" + jobId + "\n" + name + "\n" + expires), signature, expires);
    }

    private Refusal verdict(String expectedSignature, String signature, long expires) {
        byte[] expected = expectedSignature.getBytes(StandardCharsets.US_ASCII);
        byte[] given = signature == null ? new byte[0] : signature.getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, given)) return Refusal.BAD_SIGNATURE;
        return clock.instant().getEpochSecond() >= expires ? Refusal.EXPIRED : null;
    }

    private String sign(String ownerKeyId, String jobId, ContentVariant variant, long expires) {
        return mac("v1\n" + ownerKeyId + "\n" + jobId + "\n" + variant.wireName() + "\n" + expires);
    }

    private String mac(String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(mac.doFinal(payload.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }
}
