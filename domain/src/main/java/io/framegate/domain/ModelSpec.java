package io.framegate.domain;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One model of the catalog: what it accepts and what it costs. Loaded from {@code models.json}, never written in
 * code. Either a list ({@code seconds}, {@code sizes}, {@code fps}) or a range ({@code secondsRange},
 * {@code sizeRange}, {@code fpsRange}) says what is allowed.
 *
 * @param id              the canonical name
 * @param aliases         other names that resolve to this model (dated snapshots, short names)
 * @param provider        the vendor whose wire format and rules this is ({@code openai}, {@code google}, {@code local})
 * @param kind            {@code reference} (Sora style), {@code keyframes} (Veo style) or {@code hybrid} (local engine)
 * @param description     one line for humans
 * @param roles           for each accepted image role, how many images of it at most
 * @param minImages       how many images a request must carry at least (any role)
 * @param seconds         allowed durations
 * @param secondsRange    allowed durations as a range
 * @param defaultSeconds  duration when none is given
 * @param sizes           allowed frame sizes, {@code WIDTHxHEIGHT}
 * @param sizeRange       any size whose sides lie in this range (even sides only)
 * @param defaultSize     size when none is given
 * @param fps             allowed frame rates
 * @param fpsRange        allowed frame rates as a range
 * @param defaultFps      frame rate when none is given
 * @param maxVideos       how many videos one request may ask for
 * @param seed            whether a seed is accepted
 * @param negativePrompt  whether a negative prompt is accepted
 * @param promptRequired  whether a prompt must be given
 * @param audio           {@code always}, {@code optional} or {@code never}
 * @param exactFrames     whether {@code num_frames} is accepted
 * @param pricePerSecond  USD per second of output by resolution class ({@code 720p}, {@code 1080p}, ...) or {@code default}
 * @param rules           rules that tie parameters together
 * @param lifecycle       the model's standing at its vendor
 * @param priceNote       where the price comes from, e.g. "unverified third-party transcription"
 * @param pricePerVideo   USD per video by resolution class or {@code default}, added to the per-second price
 *                        (for models priced per generation)
 * @param wire            for a model hosted by an aggregator (fal, Replicate, ...): how it spells a request
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record ModelSpec(
        String id,
        List<String> aliases,
        String provider,
        String kind,
        String description,
        Map<ImageRole, Integer> roles,
        Integer minImages,
        List<Integer> seconds,
        Range secondsRange,
        Integer defaultSeconds,
        List<String> sizes,
        Range sizeRange,
        String defaultSize,
        List<Integer> fps,
        Range fpsRange,
        Integer defaultFps,
        Integer maxVideos,
        Boolean seed,
        Boolean negativePrompt,
        Boolean promptRequired,
        String audio,
        Boolean exactFrames,
        Map<String, Double> pricePerSecond,
        List<Rule> rules,
        Lifecycle lifecycle,
        String priceNote,
        Map<String, Double> pricePerVideo,
        WireFields wire) {

    public ModelSpec {
        aliases = aliases == null ? List.of() : List.copyOf(aliases);
        roles = roles == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(roles));
        seconds = seconds == null ? List.of() : List.copyOf(seconds);
        sizes = sizes == null ? List.of() : List.copyOf(sizes);
        fps = fps == null ? List.of() : List.copyOf(fps);
        pricePerSecond = exactPrices(id, "pricePerSecond", pricePerSecond);
        pricePerVideo = exactPrices(id, "pricePerVideo", pricePerVideo);
        wire = wire == null ? new WireFields(null, null, null, null) : wire;
        rules = rules == null ? List.of() : List.copyOf(rules);
        lifecycle = lifecycle == null ? Lifecycle.ACTIVE : lifecycle;
        maxVideos = maxVideos == null ? 1 : maxVideos;
        minImages = minImages == null ? 0 : minImages;
        seed = seed != null && seed;
        negativePrompt = negativePrompt != null && negativePrompt;
        promptRequired = promptRequired != null && promptRequired;
        exactFrames = exactFrames != null && exactFrames;
        audio = audio == null ? "never" : audio;
    }

    private static Map<String, Double> exactPrices(String id, String field, Map<String, Double> prices) {
        prices = prices == null ? Map.of() : Map.copyOf(prices);
        for (Map.Entry<String, Double> p : prices.entrySet()) {
            try {
                Money.ofUsd(p.getValue()); // refuse at load a price that cannot be held in micro-dollars exactly
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new IllegalArgumentException("model " + id + ": " + field + "." + p.getKey() + " = " + p.getValue()
                        + " is not a non-negative USD amount in whole micro-dollars", e);
            }
        }
        return prices;
    }

    /**
     * The price of {@code videos} videos of {@code frameCount} frames at {@code fps} in this resolution class, exact to
     * the micro-dollar (rounded up): per second x duration x videos, plus per video x videos. Empty when the catalog
     * has neither price.
     */
    public Optional<Money> priceOf(String resolutionClass, long frameCount, int fps, int videos) {
        Optional<Money> perSecond = priceMicrosPerSecondAt(resolutionClass);
        Double v = pricePerVideo.get(resolutionClass);
        if (v == null) v = pricePerVideo.get("default");
        Optional<Money> perVideo = Optional.ofNullable(v).map(Money::ofUsd);
        if (perSecond.isEmpty() && perVideo.isEmpty()) return Optional.empty();
        long micros = perSecond.map(p -> Math.ceilDiv(Math.multiplyExact(Math.multiplyExact(p.micros(), frameCount),
                (long) videos), (long) fps)).orElse(0L);
        micros = Math.addExact(micros, perVideo.map(p -> Math.multiplyExact(p.micros(), (long) videos)).orElse(0L));
        return Optional.of(new Money(micros));
    }

    /** How many images of this role the model takes (0 when the role is not accepted). */
    public int maxImages(ImageRole role) {
        return roles.getOrDefault(role, 0);
    }

    public boolean isLocal() {
        return "local".equals(provider);
    }

    public boolean allowsSeconds(int s) {
        return secondsRange != null ? secondsRange.contains(s) : seconds.contains(s);
    }

    public boolean allowsFps(int f) {
        return fpsRange != null ? fpsRange.contains(f) : fps.isEmpty() ? f == defaultFps : fps.contains(f);
    }

    /** The allowed durations as text: {@code 4, 8, 12} or {@code 1..60}. */
    public String allowedSecondsText() {
        return secondsRange != null ? secondsRange.toString() : join(seconds);
    }

    public String allowedFpsText() {
        return fpsRange != null ? fpsRange.toString() : fps.isEmpty() ? String.valueOf(defaultFps) : join(fps);
    }

    public String allowedSizesText() {
        return sizeRange != null ? "any WIDTHxHEIGHT with even sides in " + sizeRange : String.join(", ", sizes);
    }

    /** USD per second at this resolution class, falling back to {@code default}; empty when the catalog has none. */
    public Optional<Double> pricePerSecondAt(String resolutionClass) {
        Double p = pricePerSecond.get(resolutionClass);
        if (p == null) p = pricePerSecond.get("default");
        return Optional.ofNullable(p);
    }

    /** The price per second at this resolution class in exact micro-dollars (see {@link #pricePerSecondAt}). */
    public Optional<Money> priceMicrosPerSecondAt(String resolutionClass) {
        return pricePerSecondAt(resolutionClass).map(Money::ofUsd);
    }

    static String join(List<?> values) {
        return String.join(", ", values.stream().map(String::valueOf).toList());
    }
}
