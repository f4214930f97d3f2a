package io.framegate.domain;

import java.util.Objects;

/**
 * One image of a request with its role. The bytes are the encoded file as received (PNG, JPEG, WebP); decoding and
 * fitting happen later, in the engine or a provider.
 *
 * @param role     what the image is for
 * @param bytes    the encoded image
 * @param mimeType e.g. {@code image/png}; may be null when unknown
 * @param source   where it came from (file name, field name), for error messages
 * @param checked  the bytes passed the engine's whole-file check ({@code ImageHeader.check}) where they came in (API
 *                 intake, the CLI's read): the decoder does not walk them again. Set only by code that ran that check
 */
public record InputImage(ImageRole role, byte[] bytes, String mimeType, String source, boolean checked) {
    public InputImage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(bytes, "bytes");
    }

    /** An image not checked yet: the engine checks it before decoding. */
    public InputImage(ImageRole role, byte[] bytes, String mimeType, String source) {
        this(role, bytes, mimeType, source, false);
    }

    public InputImage withRole(ImageRole newRole) {
        return new InputImage(newRole, bytes, mimeType, source, checked);
    }

    @Override
    public String toString() {
        return "InputImage[" + role + ", " + bytes.length + " bytes, " + mimeType + ", " + source
                + (checked ? ", checked" : "") + "]";
    }
}
