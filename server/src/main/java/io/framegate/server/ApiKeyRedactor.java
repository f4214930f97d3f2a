package io.framegate.server;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Puts {@code REDACTED} in place of our API keys wherever a client wrote one into a URL: a path segment, a query
 * parameter's name or any parameter's value, percent-encoded or not. The access log must never hold a secret.
 */
final class ApiKeyRedactor {
    static final String REDACTED = "REDACTED";
    /**
     * {@code fg-} and the key's base64url alphabet ({@code auth.KeyStore}), in any case, from 16 characters on: a
     * truncated or mistyped key is still mostly secret, and no id or word of ours looks like that.
     */
    private static final Pattern KEY = Pattern.compile("(?i:fg-)[A-Za-z0-9_-]{16,}");
    /** What separates the parts of a path or query; a key's alphabet has none of them. */
    private static final String SEPARATORS = "/?&;=";
    /** Percent-decoding passes over a part: a key encoded up to three times is read; deeper nesting is not decoded. */
    static final int DECODING_PASSES = 3;

    private ApiKeyRedactor() {
    }

    /** {@code raw} (a path or query as sent, still percent-encoded) with every part that holds a key redacted. */
    static String redact(String raw) {
        StringBuilder out = new StringBuilder(raw.length());
        int start = 0;
        for (int i = 0; i <= raw.length(); i++) {
            if (i < raw.length() && SEPARATORS.indexOf(raw.charAt(i)) < 0) continue;
            out.append(redactPart(raw.substring(start, i)));
            if (i < raw.length()) out.append(raw.charAt(i));
            start = i + 1;
        }
        return out.toString();
    }

    /**
     * A part written plainly keeps what is around its key ({@code REDACTED:download}); one with percent-escapes is
     * redacted whole, since a key spread over escapes cannot be cut out of it reliably. So is one still holding a
     * {@code %} after {@link #DECODING_PASSES} passes that holds {@code fg} in any case or could be decoded further:
     * a key may hide behind more nesting, and decoding every level would cost a pass per level on every request
     * ({@code %252525...2541} loses two characters a pass).
     */
    private static String redactPart(String part) {
        String decoded = part;
        for (int i = 0; i < DECODING_PASSES && decoded.indexOf('%') >= 0; i++) decoded = decodedOnce(decoded);
        if (decoded.indexOf('%') >= 0 && (decoded.toLowerCase(java.util.Locale.ROOT).contains("fg")
                || !decodedOnce(decoded).equals(decoded))) {
            return REDACTED;
        }
        if (!KEY.matcher(decoded).find()) return part;
        return part.indexOf('%') < 0 ? KEY.matcher(part).replaceAll(REDACTED) : REDACTED;
    }

    private static String decodedOnce(String s) {
        if (s.indexOf('%') < 0) return s;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
        int plain = 0; // start of the text not yet copied
        for (int i = 0; i + 2 < s.length(); i++) {
            if (s.charAt(i) != '%' || !isHex(s.charAt(i + 1)) || !isHex(s.charAt(i + 2))) continue;
            bytes.writeBytes(s.substring(plain, i).getBytes(StandardCharsets.UTF_8));
            bytes.write(HexFormat.fromHexDigits(s, i + 1, i + 3));
            plain = i + 3;
            i += 2;
        }
        bytes.writeBytes(s.substring(plain).getBytes(StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0 && c < 128;
    }
}
