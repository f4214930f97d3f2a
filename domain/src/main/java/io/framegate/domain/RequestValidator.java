package io.framegate.domain;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Checks a {@link GenerationRequest} against its model's catalog entry and reports <em>every</em> broken rule at
 * once; on success returns the {@link RenderPlan} with defaults filled in. Messages name the parameter, the value
 * and the rule, e.g. {@code seconds=6 is not allowed for sora-2; allowed: 4, 8, 12}.
 */
public final class RequestValidator {
    /** Longest prompt accepted (the OpenAI Videos API's limit). */
    public static final int MAX_PROMPT_CHARS = 32_000;
    private static final Set<String> AUDIO_MODES = Set.of("always", "optional", "never");
    private static final Set<String> PERSON_GENERATION = Set.of("allow_all", "allow_adult", "dont_allow");
    /** The {@code easing} option (time curve of the offline engine's in-betweens and camera moves); the first is the default. */
    public static final List<String> EASINGS = List.of("ease-in-out", "linear");

    private final ModelCatalog catalog;

    public RequestValidator(ModelCatalog catalog) {
        this.catalog = catalog;
    }

    public ModelCatalog catalog() {
        return catalog;
    }

    /** Validates and resolves; throws {@link ValidationException} listing every violation. */
    public RenderPlan validate(GenerationRequest req) {
        String modelName = req.model() == null ? catalog.models().iterator().next().id() : req.model();
        ModelSpec m = catalog.require(modelName);
        String id = m.id();
        List<Violation> out = new ArrayList<>();

        // prompt
        if (m.promptRequired() && (req.prompt() == null || req.prompt().isBlank())) {
            out.add(new Violation("prompt", req.prompt(), "prompt is required for " + id));
        }
        if (req.prompt() != null && req.prompt().length() > MAX_PROMPT_CHARS) {
            out.add(new Violation("prompt", req.prompt().length() + " characters",
                    "prompt has " + req.prompt().length() + " characters; at most " + MAX_PROMPT_CHARS + " are allowed"));
        }
        if (req.negativePrompt() != null && !req.negativePrompt().isBlank() && !m.negativePrompt()) {
            out.add(new Violation("negative_prompt", req.negativePrompt(), "negative_prompt is not supported by " + id));
        }

        // images and roles
        Map<ImageRole, Integer> counts = new EnumMap<>(ImageRole.class);
        for (InputImage img : req.images()) counts.merge(img.role(), 1, Integer::sum);
        for (Map.Entry<ImageRole, Integer> e : counts.entrySet()) {
            ImageRole role = e.getKey();
            int max = m.maxImages(role);
            if (max == 0) {
                out.add(new Violation("images", role.wireName(), "image role " + role + " is not supported by " + id
                        + "; allowed roles: " + rolesText(m)));
            } else if (e.getValue() > max) {
                out.add(new Violation("images", e.getValue() + " x " + role, e.getValue() + " images with role " + role
                        + " given; " + id + " takes at most " + max));
            }
        }

        if (req.images().size() < m.minImages()) {
            out.add(new Violation("images", String.valueOf(req.images().size()), id + " needs at least " + m.minImages()
                    + " image(s); " + req.images().size() + " given; roles: " + rolesText(m)));
        }

        // duration (num_frames overrides seconds on models that take it)
        int fps = req.fps() != null ? req.fps() : m.defaultFps();
        if (req.fps() != null && !m.allowsFps(req.fps())) {
            out.add(new Violation("fps", String.valueOf(req.fps()),
                    "fps=" + req.fps() + " is not allowed for " + id + "; allowed: " + m.allowedFpsText()));
        }
        int seconds;
        int frameCount;
        if (req.numFrames() != null) {
            if (!m.exactFrames()) {
                out.add(new Violation("num_frames", String.valueOf(req.numFrames()),
                        "num_frames=" + req.numFrames() + " is only supported by local models (exact frame counts), not by "
                                + id + "; give seconds instead"));
            } else if (req.numFrames() < 2 || req.numFrames() > m.secondsRange().max() * 60) {
                out.add(new Violation("num_frames", String.valueOf(req.numFrames()), "num_frames=" + req.numFrames()
                        + " is not allowed for " + id + "; allowed: 2.." + m.secondsRange().max() * 60));
            }
            frameCount = Math.max(2, req.numFrames());
            seconds = (int) Math.ceil((double) frameCount / Math.max(1, fps));
        } else {
            seconds = req.seconds() != null ? req.seconds() : m.defaultSeconds();
            if (req.seconds() != null && !m.allowsSeconds(req.seconds())) {
                out.add(new Violation("seconds", String.valueOf(req.seconds()),
                        "seconds=" + req.seconds() + " is not allowed for " + id + "; allowed: " + m.allowedSecondsText()));
            }
            frameCount = Math.max(2, seconds * Math.max(1, fps));
        }

        // size, aspect ratio, resolution
        VideoSize size = resolveSize(req, m, out);

        // counts, seed, audio, person generation
        int videos = req.numberOfVideos() != null ? req.numberOfVideos() : 1;
        if (videos < 1 || videos > m.maxVideos()) {
            out.add(new Violation("number_of_videos", String.valueOf(videos), "number_of_videos=" + videos
                    + " is not allowed for " + id + "; allowed: 1.." + m.maxVideos()));
        }
        if (req.seed() != null && !m.seed()) {
            out.add(new Violation("seed", String.valueOf(req.seed()), "seed is not supported by " + id));
        } else if (req.seed() != null && (req.seed() < 0 || req.seed() > 4_294_967_295L)) {
            out.add(new Violation("seed", String.valueOf(req.seed()),
                    "seed=" + req.seed() + " is out of range; allowed: 0..4294967295"));
        }
        if (!AUDIO_MODES.contains(m.audio())) throw new IllegalStateException("catalog audio mode of " + id + ": " + m.audio());
        boolean audio = switch (m.audio()) {
            case "always" -> true;
            case "never" -> false;
            default -> req.audio() == null || req.audio();
        };
        if (req.audio() != null && req.audio() != audio) {
            out.add(new Violation("audio", String.valueOf(req.audio()), "audio=" + req.audio() + " is not possible with "
                    + id + "; its audio is " + ("always".equals(m.audio()) ? "always on" : "not available")));
        }
        if (req.personGeneration() != null
                && !PERSON_GENERATION.contains(req.personGeneration().toLowerCase(Locale.ROOT))) {
            out.add(new Violation("person_generation", req.personGeneration(), "person_generation="
                    + req.personGeneration() + " is not allowed; allowed: allow_all, allow_adult, dont_allow"));
        }
        String easing = req.options().get("easing");
        if (easing != null && !EASINGS.contains(easing.trim().toLowerCase(Locale.ROOT))) {
            out.add(new Violation("easing", easing, "easing=" + easing + " is not allowed; allowed: "
                    + String.join(", ", EASINGS)));
        }

        // cross-parameter rules from the catalog
        if (size != null) {
            Map<String, String> params = new LinkedHashMap<>();
            params.put("seconds", String.valueOf(seconds));
            params.put("size", size.toString());
            params.put("aspect_ratio", size.aspectRatio());
            params.put("resolution", size.resolutionClass());
            for (Rule rule : m.rules()) checkRule(rule, m, params, counts.keySet(), out);
        } else {
            for (Rule rule : m.rules()) {
                if (rule.when().keySet().stream().allMatch("roles"::equals)) {
                    checkRule(rule, m, Map.of("seconds", String.valueOf(seconds)), counts.keySet(), out);
                }
            }
        }

        if (!out.isEmpty()) throw new ValidationException(dedupe(out));
        long seed = req.seed() != null ? req.seed() : 0L;
        return new RenderPlan(m, req, size, size.aspectRatio(), size.resolutionClass(), seconds, fps, frameCount,
                videos, audio, seed);
    }

    private static VideoSize resolveSize(GenerationRequest req, ModelSpec m, List<Violation> out) {
        String id = m.id();
        if (req.size() != null) {
            VideoSize s = VideoSize.parse(req.size()).orElse(null);
            if (s == null) {
                out.add(new Violation("size", req.size(), "size=" + req.size()
                        + " is not a size; write WIDTHxHEIGHT, e.g. 1280x720"));
                return null;
            }
            if (!sizeAllowed(m, s)) {
                out.add(new Violation("size", req.size(), "size=" + req.size() + " is not allowed for " + id
                        + "; allowed: " + m.allowedSizesText()));
                return null;
            }
            checkMatches(req, s, out);
            return s;
        }
        VideoSize def = VideoSize.parse(m.defaultSize()).orElseThrow();
        if (req.aspectRatio() == null && req.resolution() == null) return def;
        String aspect = req.aspectRatio() != null ? req.aspectRatio().trim() : def.aspectRatio();
        String res = req.resolution() != null ? req.resolution().trim().toLowerCase(Locale.ROOT) : def.resolutionClass();
        if (m.sizeRange() != null) {
            VideoSize s = sizeFor(aspect, res);
            if (s == null || !sizeAllowed(m, s)) {
                out.add(new Violation(req.aspectRatio() != null ? "aspect_ratio" : "resolution",
                        aspect + " " + res, "aspect_ratio=" + aspect + " with resolution=" + res
                        + " is not a size " + id + " can make; write aspect as W:H and resolution as e.g. 720p"));
                return null;
            }
            return s;
        }
        Set<String> aspects = new TreeSet<>();
        Set<String> resolutions = new TreeSet<>();
        for (String text : m.sizes()) {
            VideoSize s = VideoSize.parse(text).orElseThrow();
            aspects.add(s.aspectRatio());
            resolutions.add(s.resolutionClass());
            if (s.aspectRatio().equals(aspect) && s.resolutionClass().equals(res)) return s;
        }
        if (!aspects.contains(aspect)) {
            out.add(new Violation("aspect_ratio", aspect, "aspect_ratio=" + aspect + " is not allowed for " + id
                    + "; allowed: " + String.join(", ", aspects)));
        } else if (!resolutions.contains(res)) {
            out.add(new Violation("resolution", res, "resolution=" + res + " is not allowed for " + id
                    + "; allowed: " + String.join(", ", resolutions)));
        } else {
            out.add(new Violation("resolution", res, "resolution=" + res + " is not available at aspect_ratio="
                    + aspect + " for " + id + "; allowed sizes: " + m.allowedSizesText()));
        }
        return null;
    }

    /** When size and aspect ratio / resolution are all given they must agree. */
    private static void checkMatches(GenerationRequest req, VideoSize s, List<Violation> out) {
        if (req.aspectRatio() != null && !req.aspectRatio().trim().equals(s.aspectRatio())) {
            out.add(new Violation("aspect_ratio", req.aspectRatio(), "aspect_ratio=" + req.aspectRatio()
                    + " contradicts size=" + s + " (" + s.aspectRatio() + ")"));
        }
        if (req.resolution() != null && !req.resolution().trim().equalsIgnoreCase(s.resolutionClass())) {
            out.add(new Violation("resolution", req.resolution(), "resolution=" + req.resolution()
                    + " contradicts size=" + s + " (" + s.resolutionClass() + ")"));
        }
    }

    private static boolean sizeAllowed(ModelSpec m, VideoSize s) {
        if (m.sizeRange() != null) {
            return m.sizeRange().contains(s.width()) && m.sizeRange().contains(s.height())
                    && s.width() % 2 == 0 && s.height() % 2 == 0;
        }
        return m.sizes().contains(s.toString());
    }

    /** The size for an aspect ratio {@code W:H} at a resolution class ({@code 720p}: short side 720; {@code 4k}: 2160). */
    static VideoSize sizeFor(String aspect, String res) {
        String[] ab = aspect.split(":");
        if (ab.length != 2) return null;
        int shortSide;
        try {
            double aw = Double.parseDouble(ab[0]);
            double ah = Double.parseDouble(ab[1]);
            shortSide = "4k".equals(res) ? 2160 : Integer.parseInt(res.replaceAll("p$", ""));
            if (aw <= 0 || ah <= 0 || shortSide <= 0) return null;
            int longSide = (int) Math.round(shortSide * Math.max(aw, ah) / Math.min(aw, ah) / 2.0) * 2;
            shortSide = shortSide / 2 * 2;
            return aw >= ah ? new VideoSize(longSide, shortSide) : new VideoSize(shortSide, longSide);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static void checkRule(Rule rule, ModelSpec m, Map<String, String> params, Set<ImageRole> roles,
                                  List<Violation> out) {
        for (Map.Entry<String, List<String>> w : rule.when().entrySet()) {
            if (w.getKey().equals("roles")) {
                boolean any = w.getValue().stream().map(ImageRole::parse)
                        .anyMatch(r -> r.isPresent() && roles.contains(r.get()));
                if (!any) return;
            } else if (!w.getValue().contains(params.get(w.getKey()))) {
                return;
            }
        }
        String because = rule.because() != null ? rule.because() : "a rule of " + m.id();
        for (Map.Entry<String, List<String>> t : rule.then().entrySet()) {
            String value = params.get(t.getKey());
            if (value != null && !t.getValue().contains(value)) {
                out.add(new Violation(t.getKey(), value, t.getKey() + "=" + value + " is not allowed for " + m.id()
                        + " here: " + because + "; allowed: " + String.join(", ", t.getValue())));
            }
        }
        for (ImageRole r : rule.requireRoles()) {
            if (!roles.contains(r)) {
                out.add(new Violation("images", r.wireName(), "image role " + r + " is missing for " + m.id()
                        + ": " + because));
            }
        }
        for (ImageRole r : rule.forbidRoles()) {
            if (roles.contains(r)) {
                out.add(new Violation("images", r.wireName(), "image role " + r + " is not allowed here for "
                        + m.id() + ": " + because));
            }
        }
    }

    private static String rolesText(ModelSpec m) {
        return m.roles().isEmpty() ? "none"
                : m.roles().entrySet().stream().map(e -> e.getKey() + " (up to " + e.getValue() + ")")
                .collect(Collectors.joining(", "));
    }

    private static List<Violation> dedupe(List<Violation> in) {
        return in.stream().distinct().toList();
    }
}
