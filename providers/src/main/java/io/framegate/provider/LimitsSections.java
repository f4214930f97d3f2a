package io.framegate.provider;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the {@code limits} and {@code retention} sections of {@code framegate.yaml} for {@link ConfigLoader}. */
final class LimitsSections {
    private static final Set<String> LIMIT_KEYS = Set.of("local_pixel_frames", "extension_chain", "local_render_deadline",
            "min_free_disk", "max_queued_jobs");
    private static final Set<String> RETENTION_KEYS = Set.of("results", "inputs_grace", "sweep_interval", "orphan_age");
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d)");
    private static final Pattern BYTES = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(b|kb|mb|gb|tb|kib|mib|gib|tib)?");

    private LimitsSections() {
    }

    static LimitsConfig limits(JsonNode node, List<String> problems) {
        LimitsConfig d = LimitsConfig.DEFAULTS;
        if (!isSection(node, "limits", LIMIT_KEYS, problems)) return d;
        long pixelFrames = positiveLong(node, "limits.local_pixel_frames", "local_pixel_frames", d.localPixelFrames(), problems);
        long chain = positiveLong(node, "limits.extension_chain", "extension_chain", d.maxExtensionChain(), problems);
        if (chain > 1000) problems.add("limits.extension_chain: " + chain + " must be at most 1000");
        Duration deadline = duration(node, "limits.", "local_render_deadline", d.localRenderDeadline(), problems);
        long minFree = bytes(node, "limits.min_free_disk", "min_free_disk", d.minFreeDiskBytes(), problems);
        long maxQueued = node.has("max_queued_jobs") && node.get("max_queued_jobs").asText().trim().equals("0") ? 0
                : positiveLong(node, "limits.max_queued_jobs", "max_queued_jobs", d.maxQueuedJobs(), problems);
        return new LimitsConfig(pixelFrames, (int) Math.min(chain, 1000), deadline, minFree, (int) Math.min(maxQueued, 10_000_000));
    }

    static RetentionConfig retention(JsonNode node, List<String> problems) {
        RetentionConfig d = RetentionConfig.DEFAULTS;
        if (!isSection(node, "retention", RETENTION_KEYS, problems)) return d;
        return new RetentionConfig(duration(node, "retention.", "results", d.results(), problems),
                duration(node, "retention.", "inputs_grace", d.inputsGrace(), problems),
                duration(node, "retention.", "sweep_interval", d.sweepInterval(), problems),
                duration(node, "retention.", "orphan_age", d.orphanAge(), problems));
    }

    private static boolean isSection(JsonNode node, String name, Set<String> keys, List<String> problems) {
        if (node.isMissingNode() || node.isNull()) return false;
        if (!node.isObject()) {
            problems.add(name + ": must be a mapping with " + String.join(", ", keys.stream().sorted().toList()));
            return false;
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!keys.contains(k)) {
                problems.add(name + "." + k + ": unknown key; allowed: " + String.join(", ", keys.stream().sorted().toList()));
            }
        }
        return true;
    }

    /** A whole number >= 1, written plainly, with underscores ({@code 2_000_000_000}) or as {@code 2e9}. */
    private static long positiveLong(JsonNode node, String field, String key, long dflt, List<String> problems) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) return dflt;
        try {
            double n = Double.parseDouble(v.asText().trim().replace("_", ""));
            if (n >= 1 && n <= Long.MAX_VALUE && n == Math.rint(n)) return (long) n;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        problems.add(field + ": " + v.asText() + " must be a whole number >= 1 (e.g. 2000000000 or 2e9)");
        return dflt;
    }

    private static long bytes(JsonNode node, String field, String key, long dflt, List<String> problems) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) return dflt;
        Matcher m = BYTES.matcher(v.asText().trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            problems.add(field + ": " + v.asText() + " is not a size; write e.g. 512MiB, 1GiB, 2GB or a number of bytes");
            return dflt;
        }
        String unit = m.group(2) == null ? "b" : m.group(2);
        double mult = switch (unit) {
            case "kb" -> 1e3;
            case "mb" -> 1e6;
            case "gb" -> 1e9;
            case "tb" -> 1e12;
            case "kib" -> 1024d;
            case "mib" -> 1024d * 1024;
            case "gib" -> 1024d * 1024 * 1024;
            case "tib" -> 1024d * 1024 * 1024 * 1024;
            default -> 1;
        };
        return Math.round(Double.parseDouble(m.group(1)) * mult);
    }

    private static Duration duration(JsonNode node, String prefix, String key, Duration dflt, List<String> problems) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) return dflt;
        Matcher m = DURATION.matcher(v.asText().trim().toLowerCase(Locale.ROOT));
        if (!m.matches() || Double.parseDouble(m.group(1)) <= 0) {
            problems.add(prefix + key + ": " + v.asText() + " is not a positive duration; write e.g. 500ms, 90s, 5m, 1h, 7d");
            return dflt;
        }
        double ms = Double.parseDouble(m.group(1)) * switch (m.group(2)) {
            case "ms" -> 1;
            case "s" -> 1000;
            case "m" -> 60_000;
            case "h" -> 3_600_000;
            default -> 86_400_000;
        };
        return Duration.ofMillis(Math.max(1, Math.round(ms)));
    }
}
