package io.framegate.server;

import java.util.Base64;

/**
 * Base64 a client sent (an image in a {@code data:} URL or a {@code bytesBase64Encoded} field), decoded with
 * whitespace ignored; when it is not base64, what is wrong with it and where, in Framegate's words (the JDK's
 * decoder says "Illegal base64 character 21", which names neither the character nor its place).
 */
public final class Base64Text {
    private Base64Text() {
    }

    /** The text is not base64; {@link #getMessage()} says why, e.g. {@code character 5 is '!', which is not ...}. */
    public static final class Invalid extends Exception {
        Invalid(String reason) {
            super(reason, null, false, false);
        }
    }

    /**
     * The bytes {@code text} encodes, in the standard alphabet ({@code +/}) or, when {@code urlSafeToo}, also the
     * URL-safe one ({@code -_}); {@code =} padding optional.
     */
    public static byte[] decode(String text, boolean urlSafeToo) throws Invalid {
        String compact = text.replaceAll("\\s+", "");
        try {
            return Base64.getDecoder().decode(compact);
        } catch (IllegalArgumentException standard) {
            if (urlSafeToo) {
                try {
                    return Base64.getUrlDecoder().decode(compact);
                } catch (IllegalArgumentException urlSafe) {
                    // described below
                }
            }
            throw new Invalid(describe(text, urlSafeToo));
        }
    }

    /** What is wrong with {@code text}; characters are counted from 1 as sent, whitespace included. */
    static String describe(String text, boolean urlSafeToo) {
        String alphabet = "base64 uses A-Z, a-z, 0-9, + and /" + (urlSafeToo ? " (or - and _)" : "")
                + ", with = padding only at the end";
        boolean standard = false;
        boolean urlSafe = false;
        int padAt = -1;
        int pads = 0;
        long data = 0;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (Character.isWhitespace(ch)) continue;
            if (ch == '=') {
                if (padAt < 0) padAt = i;
                pads++;
                continue;
            }
            boolean letterOrDigit = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
            boolean std = ch == '+' || ch == '/';
            boolean url = ch == '-' || ch == '_';
            if (!letterOrDigit && !std && !(url && urlSafeToo)) {
                return "character " + (i + 1) + " is " + shown(ch) + ", which is not a base64 character: " + alphabet;
            }
            if (padAt >= 0) {
                return "character " + (padAt + 1) + " is '=' padding but more data follows it (character " + (i + 1)
                        + "); '=' may only end the text";
            }
            if ((std && urlSafe) || (url && standard)) {
                return "character " + (i + 1) + " is " + shown(ch) + " of the " + (std ? "standard" : "URL-safe")
                        + " alphabet, but earlier characters use the " + (std ? "URL-safe (- and _)" : "standard (+ and /)")
                        + " one; use one alphabet";
            }
            standard |= std;
            urlSafe |= url;
            data++;
        }
        if (data % 4 == 1) {
            return "it has " + data + " base64 characters; every 4 make 3 bytes and a last group of 1 makes none, so "
                    + "the text was cut short or has one character too many";
        }
        if (pads > 2 || (pads > 0 && (data + pads) % 4 != 0)) {
            return "its " + pads + " '=' padding do not fit its " + data + " base64 characters (padding fills the "
                    + "last group of 4)";
        }
        return "it is not valid base64: " + alphabet;
    }

    private static String shown(char ch) {
        return ch >= 0x21 && ch < 0x7f ? "'" + ch + "'" : String.format("U+%04X", (int) ch);
    }
}
