package io.framegate.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The encoder settings libx264 writes into every stream it makes (its "x264 - core ... options: ..." SEI text), read
 * back from an MP4: lets the benchmark show that the engine and the ffmpeg commands did the same encoding work.
 */
public final class X264Options {
    /** Settings that may differ without changing the work much: thread layout follows the caller, not the job. */
    static final Set<String> IGNORED = Set.of("threads", "lookahead_threads", "sliced_threads", "nr", "decimate",
            "interlaced", "bluray_compat", "constrained_intra", "stitchable", "open_gop", "fake_interlaced");

    private X264Options() {
    }

    /** {@code key -> value} from the first x264 SEI in {@code mp4}; empty when there is none. */
    public static Map<String, String> read(Path mp4) {
        byte[] data;
        try {
            data = Files.readAllBytes(mp4);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + mp4, e);
        }
        byte[] marker = "x264 - core".getBytes(StandardCharsets.US_ASCII);
        Map<String, String> out = new LinkedHashMap<>();
        outer:
        for (int i = 0; i + marker.length < data.length; i++) {
            for (int j = 0; j < marker.length; j++) if (data[i + j] != marker[j]) continue outer;
            int end = i;
            while (end < data.length && data[end] != 0) end++;
            String text = new String(data, i, end - i, StandardCharsets.US_ASCII);
            int opt = text.indexOf("options: ");
            if (opt < 0) return out;
            for (String kv : text.substring(opt + 9).trim().split(" ")) {
                int eq = kv.indexOf('=');
                if (eq > 0) out.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
            return out;
        }
        return out;
    }

    /** The settings that differ between two streams (ignoring {@link #IGNORED}), as {@code key a|b}. */
    public static List<String> differences(Map<String, String> a, Map<String, String> b) {
        List<String> out = new ArrayList<>();
        Set<String> keys = new java.util.TreeSet<>(a.keySet());
        keys.addAll(b.keySet());
        for (String k : keys) {
            if (IGNORED.contains(k)) continue;
            String x = a.getOrDefault(k, "-"), y = b.getOrDefault(k, "-");
            if (!x.equals(y)) out.add(k + " " + x + "|" + y);
        }
        return out;
    }
}
