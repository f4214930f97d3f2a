package io.framegate.provider;

import java.io.IOException;
import java.time.Instant;

/**
 * Framegate-served links to a job's input images as fitted for an upstream, for upstreams that read images only from
 * URLs (Luma Dream Machine keyframes, OpenRouter frame_images, any model whose field map takes only {@code url}). The
 * server provides one only when the operator set a public base URL; without it such routes are refused at create.
 */
@FunctionalInterface
public interface InputUrls {
    /**
     * Stores {@code image} where every instance can serve it (the job's input storage) under {@code name}, and returns
     * an absolute URL that serves exactly these bytes without a key until {@code until}, and nothing else.
     *
     * @throws IOException the image could not be stored
     */
    String publish(String jobId, String name, FittedImage image, Instant until) throws IOException;

    /** The stored name of the {@code index}-th image an upstream is sent ({@link UpstreamJob#images()} order). */
    static String name(int index) {
        return "upstream-input-" + index;
    }
}
