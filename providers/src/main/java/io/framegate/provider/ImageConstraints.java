package io.framegate.provider;

import java.util.Set;

/**
 * What an upstream accepts as an input image.
 *
 * @param mimeTypes          formats it reads
 * @param maxBytes           largest encoded image
 * @param framesExactSize    whether frame images (first/last/reference) must have exactly the video's size
 *                           (OpenAI rejects others with "Inpaint image must match the requested width and height");
 *                           when false they are still fitted to the video's aspect ratio so the upstream does not
 *                           crop or pad on its own terms
 * @param maxAssetSide       longest side of a subject/style image (they keep their own aspect ratio)
 */
public record ImageConstraints(Set<String> mimeTypes, long maxBytes, boolean framesExactSize, int maxAssetSide) {
    public ImageConstraints {
        mimeTypes = Set.copyOf(mimeTypes);
    }
}
