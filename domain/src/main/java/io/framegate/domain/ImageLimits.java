package io.framegate.domain;

import java.time.Duration;

/**
 * The bounds on the images of one request, checked at intake before any decode, fetch or job. One record so the
 * operator's config can set them in one place; {@link #DEFAULTS} fits a small server.
 *
 * @param maxPixels          largest width x height of one image, read from its header before it is decoded
 * @param maxSide            longest allowed side of one image, in pixels
 * @param maxImages          most images in one request (counted before anything is fetched)
 * @param maxRequestBytes    most encoded image bytes in one request (uploads, data: URLs and fetched URLs together)
 * @param fetchDeadline      time for one image URL fetch, body included (a trickling body is cut off at it)
 * @param fetchConcurrency   image URL fetches running at once across the server (more wait, within their deadline)
 */
public record ImageLimits(long maxPixels, int maxSide, int maxImages, long maxRequestBytes, Duration fetchDeadline,
                          int fetchConcurrency) {
    /** 50 megapixels, 16384 px a side, 8 images, 64 MB of images, a 15 s fetch deadline, 8 fetches at once. */
    public static final ImageLimits DEFAULTS = new ImageLimits(50_000_000L, 16_384, 8, 64L * 1024 * 1024,
            Duration.ofSeconds(15), 8);

    public ImageLimits {
        if (maxPixels < 1 || maxSide < 1 || maxImages < 1 || maxRequestBytes < 1 || fetchConcurrency < 1
                || fetchDeadline == null || fetchDeadline.isNegative() || fetchDeadline.isZero()) {
            throw new IllegalArgumentException("image limits must be positive: " + maxPixels + ", " + maxSide + ", "
                    + maxImages + ", " + maxRequestBytes + ", " + fetchDeadline + ", " + fetchConcurrency);
        }
    }

    public ImageLimits withFetchDeadline(Duration d) {
        return new ImageLimits(maxPixels, maxSide, maxImages, maxRequestBytes, d, fetchConcurrency);
    }

    public ImageLimits withMaxImages(int n) {
        return new ImageLimits(maxPixels, maxSide, n, maxRequestBytes, fetchDeadline, fetchConcurrency);
    }

    public ImageLimits withMaxRequestBytes(long n) {
        return new ImageLimits(maxPixels, maxSide, maxImages, n, fetchDeadline, fetchConcurrency);
    }

    /** Null when a {@code width x height} image is within the caps, else why not (for a 400 that names the param). */
    public String pixelProblem(long width, long height) {
        if (width > maxSide || height > maxSide) {
            return width + "x" + height + " has a side over " + maxSide + " px (the largest allowed side)";
        }
        if (width * height > maxPixels) {
            return width + "x" + height + " is " + String.format(java.util.Locale.ROOT, "%.1f", width * height / 1e6)
                    + " megapixels; at most " + String.format(java.util.Locale.ROOT, "%.1f", maxPixels / 1e6) + " are allowed";
        }
        return null;
    }
}
