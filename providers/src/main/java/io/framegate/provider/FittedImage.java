package io.framegate.provider;

import io.framegate.domain.ImageRole;

/** An input image as it will be sent upstream: role as the upstream model understands it, encoded bytes, MIME type. */
public record FittedImage(ImageRole role, byte[] bytes, String mimeType, int width, int height) {
    public String extension() {
        return switch (mimeType) {
            case "image/jpeg" -> "jpg";
            case "image/webp" -> "webp";
            default -> "png";
        };
    }

    @Override
    public String toString() {
        return "FittedImage[" + role + ", " + width + "x" + height + ", " + mimeType + ", " + bytes.length + " bytes]";
    }
}
