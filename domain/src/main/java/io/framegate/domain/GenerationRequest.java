package io.framegate.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One image-to-video request as every surface (CLI, OpenAI-compatible API, Veo-compatible API) hands it to the
 * domain. Nullable fields mean "not given": the model's catalog entry supplies the default. Raw strings
 * ({@code size}, {@code aspectRatio}, {@code resolution}) stay as the caller wrote them so that validation can quote
 * them back.
 *
 * @param model            catalog id or alias, e.g. {@code sora-2}, {@code veo-3.1-generate-001}, {@code framegate-local}
 * @param prompt           what to show; may be null where the model allows
 * @param negativePrompt   what not to show (Veo)
 * @param images           input images, each with its role
 * @param seconds          duration in whole seconds
 * @param size             {@code WIDTHxHEIGHT} (OpenAI style)
 * @param aspectRatio      {@code 16:9} / {@code 9:16} (Veo style)
 * @param resolution       {@code 720p} / {@code 1080p} / {@code 4k} (Veo style)
 * @param fps              frames per second
 * @param seed             makes a generation repeatable
 * @param numberOfVideos   how many videos (Veo {@code sampleCount})
 * @param audio            whether to produce an audio track
 * @param numFrames        exact frame count (local models only; overrides seconds)
 * @param personGeneration Veo {@code personGeneration} ({@code allow_all}, {@code allow_adult}, {@code dont_allow})
 * @param options          further provider options that the domain passes through untouched (e.g. {@code easing})
 * @param fit              how frame images are fitted to the video (null: {@link FitMode#DEFAULT}); surfaces parse
 *                         it with {@link FitMode#parse}, which refuses an unknown name before any work
 */
public record GenerationRequest(
        String model,
        String prompt,
        String negativePrompt,
        List<InputImage> images,
        Integer seconds,
        String size,
        String aspectRatio,
        String resolution,
        Integer fps,
        Long seed,
        Integer numberOfVideos,
        Boolean audio,
        Integer numFrames,
        String personGeneration,
        Map<String, String> options,
        FitMode fit) {

    public GenerationRequest {
        images = images == null ? List.of() : List.copyOf(images);
        if (options != null && options.containsKey(FitMode.FIELD)) {
            // requests stored before fit was typed kept it among the options
            Map<String, String> rest = new TreeMap<>(options);
            String legacy = rest.remove(FitMode.FIELD);
            if (fit == null && legacy != null) fit = FitMode.lookup(legacy);
            options = rest;
        }
        options = options == null ? Map.of() : Map.copyOf(options);
    }

    /** The fit to apply: the request's, else {@link FitMode#DEFAULT}. */
    public FitMode fitOrDefault() {
        return FitMode.orDefault(fit);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.model = model; b.prompt = prompt; b.negativePrompt = negativePrompt; b.images.addAll(images);
        b.seconds = seconds; b.size = size; b.aspectRatio = aspectRatio; b.resolution = resolution; b.fps = fps;
        b.seed = seed; b.numberOfVideos = numberOfVideos; b.audio = audio; b.numFrames = numFrames;
        b.personGeneration = personGeneration; b.options.putAll(options); b.fit = fit;
        return b;
    }

    /** The images with the given role, in request order. */
    public List<InputImage> imagesWith(ImageRole role) {
        return images.stream().filter(i -> i.role() == role).toList();
    }

    public boolean has(ImageRole role) {
        return images.stream().anyMatch(i -> i.role() == role);
    }

    /** Fluent construction; every setter accepts null for "not given". */
    public static final class Builder {
        private String model, prompt, negativePrompt, size, aspectRatio, resolution, personGeneration;
        private final List<InputImage> images = new ArrayList<>();
        private Integer seconds, fps, numberOfVideos, numFrames;
        private Long seed;
        private Boolean audio;
        private FitMode fit;
        private final Map<String, String> options = new TreeMap<>();

        public Builder model(String v) { model = v; return this; }
        public Builder prompt(String v) { prompt = v; return this; }
        public Builder negativePrompt(String v) { negativePrompt = v; return this; }
        public Builder image(InputImage v) { images.add(Objects.requireNonNull(v)); return this; }
        public Builder image(ImageRole role, byte[] bytes, String mimeType, String source) {
            return image(new InputImage(role, bytes, mimeType, source));
        }
        public Builder images(List<InputImage> v) { images.clear(); images.addAll(v); return this; }
        public Builder seconds(Integer v) { seconds = v; return this; }
        public Builder size(String v) { size = v; return this; }
        public Builder aspectRatio(String v) { aspectRatio = v; return this; }
        public Builder resolution(String v) { resolution = v; return this; }
        public Builder fps(Integer v) { fps = v; return this; }
        public Builder seed(Long v) { seed = v; return this; }
        public Builder numberOfVideos(Integer v) { numberOfVideos = v; return this; }
        public Builder audio(Boolean v) { audio = v; return this; }
        public Builder numFrames(Integer v) { numFrames = v; return this; }
        public Builder personGeneration(String v) { personGeneration = v; return this; }
        public Builder option(String key, String value) { if (value != null) options.put(key, value); return this; }
        public Builder fit(FitMode v) { fit = v; return this; }

        public GenerationRequest build() {
            return new GenerationRequest(model, prompt, negativePrompt, images, seconds, size, aspectRatio, resolution,
                    fps, seed, numberOfVideos, audio, numFrames, personGeneration, options, fit);
        }
    }
}
