package io.framegate.provider;

import io.framegate.domain.GenerationRequest;
import io.framegate.domain.ImageRole;
import io.framegate.domain.InputImage;
import io.framegate.domain.ModelSpec;
import io.framegate.domain.RenderPlan;
import io.framegate.domain.RequestValidator;
import io.framegate.domain.ValidationException;
import io.framegate.domain.VideoSize;
import io.framegate.domain.Violation;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Turns a plan made for the model the client asked for into a plan for the upstream model a route sends it to,
 * by these rules (docs/config.md states them for operators):
 * <ul>
 *   <li>a role the upstream model takes stays as it is;</li>
 *   <li>a {@code reference} image (Sora shape) on a model without that role becomes the role chosen by
 *       {@link ReferenceAs} ({@code first_frame} by default, or {@code asset});</li>
 *   <li>a {@code first_frame} on a model that takes only a {@code reference} (Sora) becomes that reference, which
 *       OpenAI's guide says "acts as the first frame";</li>
 *   <li>any other role the upstream model cannot honour ({@code last_frame}, {@code asset}, {@code style}, or more
 *       images than it takes) fails before any upstream call, naming the model and the missing capability;</li>
 *   <li>the size is kept when the upstream makes it, else mapped to the upstream size of the same aspect ratio with
 *       the nearest resolution (recorded); a different aspect ratio fails;</li>
 *   <li>every other parameter is passed as resolved and re-validated against the upstream model's catalog rules, so
 *       nothing (seconds, seed, negative prompt, audio, count) is silently dropped.</li>
 * </ul>
 */
public final class Translation {
    private Translation() {
    }

    /** The upstream plan and what was changed on the way, for the job's notes. */
    public record Result(RenderPlan upstreamPlan, List<String> changes) {
        public Result {
            changes = List.copyOf(changes);
        }
    }

    /**
     * @param where names the route and channel in messages, e.g. {@code route sora-2 -> channel vertex-eu}
     * @throws ValidationException naming the upstream model and each missing capability
     */
    public static Result toUpstream(RenderPlan plan, ModelSpec upstream, ReferenceAs referenceAs,
                                    RequestValidator validator, String where) {
        GenerationRequest req = plan.request();
        List<Violation> problems = new ArrayList<>();
        List<String> changes = new ArrayList<>();
        List<InputImage> images = new ArrayList<>();
        for (InputImage img : req.images()) {
            ImageRole target = mapRole(img.role(), upstream, referenceAs);
            if (upstream.maxImages(target) == 0) {
                problems.add(new Violation("images", img.role().wireName(), upstream.id() + " (" + where
                        + ") cannot honour a " + img.role() + " image" + (target != img.role() ? " (as " + target + ")" : "")
                        + "; it takes " + rolesText(upstream)));
                continue;
            }
            if (target != img.role()) {
                changes.add(img.role() + " image sent as " + target);
            }
            images.add(img.withRole(target));
        }
        for (ImageRole role : ImageRole.values()) {
            long n = images.stream().filter(i -> i.role() == role).count();
            if (n > upstream.maxImages(role) && upstream.maxImages(role) > 0) {
                problems.add(new Violation("images", n + " x " + role, upstream.id() + " (" + where + ") takes at most "
                        + upstream.maxImages(role) + " " + role + " image(s); " + n + " given"));
            }
        }
        String size = null;
        if (plan.size() != null) {
            VideoSize mapped = mapSize(plan.size(), upstream);
            if (mapped == null) {
                problems.add(new Violation("size", plan.size().toString(), upstream.id() + " (" + where
                        + ") cannot make size=" + plan.size() + " (aspect ratio " + plan.aspectRatio() + "); it makes: "
                        + upstream.allowedSizesText()));
            } else {
                if (!mapped.equals(plan.size())) changes.add("size " + plan.size() + " sent as " + mapped);
                size = mapped.toString();
            }
        }
        if (!problems.isEmpty()) throw new ValidationException(problems);

        GenerationRequest up = req.toBuilder()
                .model(upstream.id())
                .images(images)
                .seconds(req.numFrames() == null ? plan.seconds() : null)
                .size(size)
                .aspectRatio(null)
                .resolution(null)
                .numberOfVideos(plan.numberOfVideos())
                .build();
        try {
            return new Result(validator.validate(up), changes);
        } catch (ValidationException e) {
            throw new ValidationException(e.violations().stream()
                    .map(v -> new Violation(v.param(), v.value(), "upstream " + upstream.id() + " (" + where + "): " + v.message()))
                    .toList());
        }
    }

    static ImageRole mapRole(ImageRole role, ModelSpec upstream, ReferenceAs referenceAs) {
        if (upstream.maxImages(role) > 0) return role;
        if (role == ImageRole.REFERENCE) return referenceAs.role();
        if (role == ImageRole.FIRST_FRAME && upstream.maxImages(ImageRole.REFERENCE) > 0) return ImageRole.REFERENCE;
        return role;
    }

    /** The requested size if the model makes it, else its size with the same aspect ratio and the nearest resolution; null if none. */
    public static VideoSize mapSize(VideoSize requested, ModelSpec upstream) {
        if (upstream.sizeRange() != null) {
            return upstream.sizeRange().contains(requested.width()) && upstream.sizeRange().contains(requested.height())
                    ? requested : null;
        }
        List<VideoSize> sizes = upstream.sizes().stream().map(s -> VideoSize.parse(s).orElseThrow()).toList();
        if (sizes.contains(requested)) return requested;
        int shortSide = Math.min(requested.width(), requested.height());
        return sizes.stream()
                .filter(s -> s.aspectRatio().equals(requested.aspectRatio()))
                .min(Comparator.comparingInt((VideoSize s) -> Math.abs(Math.min(s.width(), s.height()) - shortSide))
                        .thenComparingInt(s -> -Math.min(s.width(), s.height())))
                .orElse(null);
    }

    static String rolesText(ModelSpec m) {
        return m.roles().isEmpty() ? "no images"
                : m.roles().entrySet().stream().map(e -> e.getKey() + " (up to " + e.getValue() + ")")
                .collect(Collectors.joining(", "));
    }
}
