package io.framegate.provider;

import io.framegate.domain.ImageRole;
import io.framegate.domain.RenderPlan;

import java.util.List;

/**
 * One job as an upstream receives it: the plan validated against the upstream model (its id is what the upstream is
 * asked for) and the images already fitted to the upstream's constraints, with their upstream roles.
 *
 * @param urls where the images can be had as Framegate-served URLs ({@link InputUrls}); null when this Framegate
 *             serves none (no public base URL), so an upstream that reads images only from URLs must refuse the job
 */
public record UpstreamJob(RenderPlan plan, List<FittedImage> images, ImageUrls urls) {
    /** The URL of one of the job's images. */
    @FunctionalInterface
    public interface ImageUrls {
        /** @throws UpstreamException (not sent) the image could not be stored for the upstream to fetch */
        String urlOf(FittedImage image) throws UpstreamException;
    }

    public UpstreamJob {
        images = List.copyOf(images);
    }

    public UpstreamJob(RenderPlan plan, List<FittedImage> images) {
        this(plan, images, null);
    }

    public String upstreamModel() {
        return plan.model().id();
    }

    public List<FittedImage> imagesWith(ImageRole role) {
        return images.stream().filter(i -> i.role() == role).toList();
    }

    /** Whether the images can be sent as Framegate-served URLs. */
    public boolean servesUrls() {
        return urls != null;
    }

    /**
     * A URL serving {@code image} (one of {@link #images()}).
     *
     * @throws UpstreamException there is none (REJECTED: the job should have been refused), or it could not be
     *                           stored (not sent)
     */
    public String urlOf(FittedImage image) throws UpstreamException {
        if (urls == null) {
            throw new UpstreamException(UpstreamException.Kind.REJECTED, 0, null, upstreamModel() + " needs a URL for"
                    + " its " + image.role().wireName() + ", and this Framegate serves no input URLs (no public base URL)");
        }
        return urls.urlOf(image);
    }
}
