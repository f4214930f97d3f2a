package io.framegate.server.jobs;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.framegate.domain.GenerationRequest;
import io.framegate.domain.ImageRole;
import io.framegate.domain.InputImage;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A {@link GenerationRequest} as stored in the job row: every field, with the images replaced by the names of the
 * files that hold their bytes in the {@link io.framegate.server.storage.ResultStore}.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record StoredRequest(
        String model,
        String prompt,
        String negativePrompt,
        List<StoredImage> images,
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
        Map<String, String> options) {

    record StoredImage(ImageRole role, String mimeType, String source, String file) {
    }

    /** The stored name of input image {@code i}. */
    static String inputFileName(int i) {
        return "input-" + i;
    }

    static StoredRequest of(GenerationRequest r) {
        List<StoredImage> images = new ArrayList<>();
        for (int i = 0; i < r.images().size(); i++) {
            InputImage img = r.images().get(i);
            images.add(new StoredImage(img.role(), img.mimeType(), img.source(), inputFileName(i)));
        }
        return new StoredRequest(r.model(), r.prompt(), r.negativePrompt(), images, r.seconds(), r.size(),
                r.aspectRatio(), r.resolution(), r.fps(), r.seed(), r.numberOfVideos(), r.audio(), r.numFrames(),
                r.personGeneration(), r.options());
    }

    /** Rebuilds the request; {@code bytesOf} reads an image file back. */
    GenerationRequest toRequest(java.util.function.Function<String, byte[]> bytesOf) {
        GenerationRequest.Builder b = GenerationRequest.builder().model(model).prompt(prompt)
                .negativePrompt(negativePrompt).seconds(seconds).size(size).aspectRatio(aspectRatio)
                .resolution(resolution).fps(fps).seed(seed).numberOfVideos(numberOfVideos).audio(audio)
                .numFrames(numFrames).personGeneration(personGeneration);
        if (options != null) options.forEach(b::option);
        if (images != null) {
            for (StoredImage img : images) {
                b.image(new InputImage(img.role(), bytesOf.apply(img.file()), img.mimeType(), img.source()));
            }
        }
        return b.build();
    }
}
