package io.framegate.server.links;

import io.framegate.server.jobs.ContentVariant;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * openai-extension.md, {@code video_url}: "A link is valid for 60 to 70 minutes (the expiry is rounded up to a
 * 10-minute step ...), never past the video's own {@code expires_at}".
 */
class SignedUrlsTest {
    static final byte[] SECRET = "a-test-secret-of-32-bytes-length".getBytes(StandardCharsets.US_ASCII);
    static final long T0 = 1_790_000_000L; // an arbitrary second, not on a 10-minute step

    static SignedUrls at(long epochSecond) {
        return new SignedUrls(SECRET, SignedUrls.DEFAULT_TTL, Clock.fixed(Instant.ofEpochSecond(epochSecond), ZoneOffset.UTC), null);
    }

    static long expires(String path) {
        String q = path.substring(path.indexOf("&expires=") + "&expires=".length());
        return Long.parseLong(q.substring(0, q.indexOf('&')));
    }

    static String signature(String path) {
        return path.substring(path.indexOf("&signature=") + "&signature=".length());
    }

    @Test
    void aLinkLastsSixtyToSeventyMinutesOnATenMinuteStepAndIsRefusedFromItsExpiry() {
        for (long now = T0; now < T0 + 1200; now += 37) {
            String path = at(now).path("key_1", "video_1", ContentVariant.VIDEO, null);
            long expires = expires(path);
            assertThat(expires - now).as("life of a link made at %d", now).isGreaterThan(3600).isLessThanOrEqualTo(4200);
            assertThat(expires % 600).isZero();
            assertThat(at(expires - 1).check("key_1", "video_1", ContentVariant.VIDEO, expires, signature(path))).isNull();
            assertThat(at(expires).check("key_1", "video_1", ContentVariant.VIDEO, expires, signature(path)))
                    .isEqualTo(SignedUrls.Refusal.EXPIRED);
        }
        // made on a step boundary: the full 70 minutes
        long onStep = (T0 / 600 + 1) * 600 - 3600;
        assertThat(expires(at(onStep).path("key_1", "video_1", ContentVariant.VIDEO, null)) - onStep).isEqualTo(4200);
    }

    @Test
    void aLinkNeverOutlivesItsVideo() {
        Instant videoExpires = Instant.ofEpochSecond(T0 + 1234);
        String path = at(T0).path("key_1", "video_1", ContentVariant.THUMBNAIL, videoExpires);
        assertThat(expires(path)).isEqualTo(videoExpires.getEpochSecond());
        assertThat(at(T0 + 1234).check("key_1", "video_1", ContentVariant.THUMBNAIL, expires(path), signature(path)))
                .isEqualTo(SignedUrls.Refusal.EXPIRED);
        // and an expiry pushed later by hand is a bad signature, not a longer link
        assertThat(at(T0).check("key_1", "video_1", ContentVariant.THUMBNAIL, expires(path) + 3600, signature(path)))
                .isEqualTo(SignedUrls.Refusal.BAD_SIGNATURE);
    }
}
