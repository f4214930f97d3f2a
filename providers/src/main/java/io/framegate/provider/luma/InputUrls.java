package io.framegate.provider.luma;

import io.framegate.provider.FittedImage;

/**
 * Where an upstream that reads images only from URLs can fetch a job's input: a short-lived signed URL that
 * Framegate serves, available only when the operator set a public base URL.
 */
@FunctionalInterface
public interface InputUrls {
    /** A URL the upstream can GET the image from, or null when none can be made. */
    String urlFor(FittedImage image);
}
