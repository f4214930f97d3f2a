package io.framegate.provider;

import io.framegate.domain.ImageRole;

import java.util.Locale;

/**
 * What a Sora-style {@code reference} image becomes on an upstream that has no such role (Veo): the first frame
 * (default; OpenAI's guide says the reference "acts as the first frame", and it works at every duration) or an asset
 * (subject) reference (Veo keeps the subject but not the composition; only at 8 s).
 */
public enum ReferenceAs {
    FIRST_FRAME(ImageRole.FIRST_FRAME),
    ASSET(ImageRole.ASSET);

    private final ImageRole role;

    ReferenceAs(ImageRole role) {
        this.role = role;
    }

    public ImageRole role() {
        return role;
    }

    public static ReferenceAs parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        for (ReferenceAs r : values()) if (r.role.wireName().equals(t)) return r;
        throw new IllegalArgumentException("reference_as=" + text + " is not one of: first_frame, asset");
    }

    @Override
    public String toString() {
        return role.wireName();
    }
}
