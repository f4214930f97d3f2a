package io.framegate.engine;

/**
 * What {@link ImageDecoder#probe} found in an input image.
 *
 * @param width  pixels
 * @param height pixels
 * @param format {@code png}, {@code jpeg}, {@code webp}, {@code bmp}, {@code tiff} (by {@link ImageHeader#formatOf})
 */
public record ImageInfo(int width, int height, String format) {
}
