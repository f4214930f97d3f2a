package io.framegate.domain;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A frame size in pixels, written {@code WIDTHxHEIGHT} as in the OpenAI API ({@code 1280x720}). */
public record VideoSize(int width, int height) {
    private static final Pattern FORMAT = Pattern.compile("\\s*(\\d{1,5})\\s*[xX×]\\s*(\\d{1,5})\\s*");

    public VideoSize {
        if (width <= 0 || height <= 0) throw new IllegalArgumentException("size must be positive: " + width + "x" + height);
    }

    public static Optional<VideoSize> parse(String text) {
        if (text == null) return Optional.empty();
        Matcher m = FORMAT.matcher(text);
        if (!m.matches()) return Optional.empty();
        int w = Integer.parseInt(m.group(1));
        int h = Integer.parseInt(m.group(2));
        return w > 0 && h > 0 ? Optional.of(new VideoSize(w, h)) : Optional.empty();
    }

    /** {@code 16:9} for 1280x720, {@code 9:16} for 720x1280, reduced by the greatest common divisor otherwise. Sides rounded to even numbers (854x480) still count as 16:9. */
    public String aspectRatio() {
        double r = (double) width / height;
        if (Math.abs(r - 16.0 / 9) < 0.005) return "16:9";
        if (Math.abs(r - 9.0 / 16) < 0.002) return "9:16";
        int g = gcd(width, height);
        return (width / g) + ":" + (height / g);
    }

    /** The resolution class by the short side: {@code 720p}, {@code 1080p}, {@code 4k}, else {@code <short>p}. */
    public String resolutionClass() {
        int s = Math.min(width, height);
        return s >= 2160 ? "4k" : s + "p";
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    @Override
    public String toString() {
        return width + "x" + height;
    }
}
