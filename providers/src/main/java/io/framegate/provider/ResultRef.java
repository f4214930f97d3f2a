package io.framegate.provider;

/**
 * Where one finished upstream video is: a URI to download ({@code https://...}, {@code gs://...}), inline bytes, or
 * neither when the upstream serves it by job id (OpenAI {@code /videos/{id}/content}).
 */
public record ResultRef(String uri, byte[] inlineBytes, String mimeType) {
    @Override
    public String toString() {
        return "ResultRef[" + (uri != null ? uri : inlineBytes != null ? inlineBytes.length + " inline bytes" : "by id") + "]";
    }
}
