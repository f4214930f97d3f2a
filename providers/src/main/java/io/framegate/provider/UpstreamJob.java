package io.framegate.provider;

import io.framegate.domain.ImageRole;
import io.framegate.domain.RenderPlan;

import java.util.List;

/**
 * One job as an upstream receives it: the plan validated against the upstream model (its id is what the upstream is
 * asked for) and the images already fitted to the upstream's constraints, with their upstream roles.
 */
public record UpstreamJob(RenderPlan plan, List<FittedImage> images) {
    public UpstreamJob {
        images = List.copyOf(images);
    }

    public String upstreamModel() {
        return plan.model().id();
    }

    public List<FittedImage> imagesWith(ImageRole role) {
        return images.stream().filter(i -> i.role() == role).toList();
    }
}
