package io.framegate.server.jobs;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.framegate.domain.GenerationRequest;
import io.framegate.domain.ImageRole;
import io.framegate.domain.InputImage;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A {@link GenerationRequest} as stored in the job row: the request itself without image bytes, and for each image
 * its role and the name of the file that holds its bytes in the {@link io.framegate.server.storage.ResultStore}.
 * Keeping the domain record whole means a field added to it is stored without touching this class. Whether an image
 * was checked whole at intake is stored too: the worker then does not walk it again (a row without it: it does).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
record StoredRequest(GenerationRequest request, List<StoredImage> images) {

    record StoredImage(ImageRole role, String mimeType, String source, String file, boolean checked) {
    }

    /** The stored name of input image {@code i}. */
    static String inputFileName(int i) {
        return "input-" + i;
    }

    static StoredRequest of(GenerationRequest r) {
        List<StoredImage> images = new ArrayList<>();
        for (int i = 0; i < r.images().size(); i++) {
            InputImage img = r.images().get(i);
            images.add(new StoredImage(img.role(), img.mimeType(), img.source(), inputFileName(i), img.checked()));
        }
        return new StoredRequest(r.toBuilder().images(List.of()).build(), images);
    }

    /** Rebuilds the request; {@code bytesOf} reads an image file back. */
    GenerationRequest toRequest(Function<String, byte[]> bytesOf) {
        GenerationRequest.Builder b = request.toBuilder();
        if (images != null) {
            for (StoredImage img : images) {
                b.image(new InputImage(img.role(), bytesOf.apply(img.file()), img.mimeType(), img.source(), img.checked()));
            }
        }
        return b.build();
    }
}
