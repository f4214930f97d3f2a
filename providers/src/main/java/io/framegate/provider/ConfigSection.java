package io.framegate.provider;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One part of {@code framegate.yaml} (a top-level section or an entry inside one) and the one set of value readers
 * every module uses on it: each problem is recorded with the field it is about ({@code workers.local: 0 must be ...}),
 * nothing is thrown, so the file's problems are all reported together by {@link ConfigTree#finish}.
 */
public final class ConfigSection {
    private static final Pattern TIMING_DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)");
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d)");
    private static final Pattern BYTES = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(b|kb|mb|gb|tb|kib|mib|gib|tib)?");

    private final JsonNode node;
    private final String field;
    private final Path baseDir;
    private final Function<String, String> env;
    private final List<String> problems;

    ConfigSection(JsonNode node, String field, Path baseDir, Function<String, String> env, List<String> problems) {
        this.node = node;
        this.field = field;
        this.baseDir = baseDir;
        this.env = env;
        this.problems = problems;
    }

    /** The YAML as parsed (a missing node when the file has no such part). */
    public JsonNode node() {
        return node;
    }

    /** Where this part is, as problems name it: {@code workers}, {@code channels.eu}. */
    public String field() {
        return field;
    }

    /** The file does not have this part (or it is {@code null}). */
    public boolean absent() {
        return node.isMissingNode() || node.isNull();
    }

    /**
     * Whether there is a mapping to read: false when absent, or when not a mapping (then a problem
     * {@code <field>: must be a mapping with <what>}); keys outside {@code keys} are problems too.
     */
    public boolean mapping(String what, Set<String> keys) {
        if (absent()) return false;
        if (!node.isObject()) {
            problem("must be a mapping with " + what);
            return false;
        }
        allowOnly(keys);
        return true;
    }

    /** Every key outside {@code allowed} is a problem {@code <field>.<key>: unknown key; allowed: ...}. */
    public void allowOnly(Set<String> allowed) {
        if (!node.isObject()) return;
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!allowed.contains(k)) {
                problem(k, "unknown key; allowed: " + String.join(", ", allowed.stream().sorted().toList()));
            }
        }
    }

    /** The part under {@code key}, named {@code <field>.<key>}. */
    public ConfigSection child(String key) {
        return new ConfigSection(node.path(key), field + "." + key, baseDir, env, problems);
    }

    /** The {@code index}-th element of a list, named {@code <field>[index]}. */
    public ConfigSection item(int index) {
        return new ConfigSection(node.path(index), field + "[" + index + "]", baseDir, env, problems);
    }

    /** The entries of a mapping of names to entries, in file order; anything but a mapping is a problem. */
    public void forEachEntry(BiConsumer<String, ConfigSection> visitor) {
        if (absent()) return;
        if (!node.isObject()) {
            problem("must be a mapping of names to entries");
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            visitor.accept(e.getKey(), new ConfigSection(e.getValue(), field + "." + e.getKey(), baseDir, env, problems));
        }
    }

    /** Records {@code <field>: message}. */
    public void problem(String message) {
        problems.add(field + ": " + message);
    }

    /** Records {@code <field>.<key>: message}. */
    public void problem(String key, String message) {
        problems.add(field + "." + key + ": " + message);
    }

    /** The value at {@code key} as text, or null when absent or {@code null}. */
    public String text(String key) {
        return text(node, key);
    }

    /** The value at {@code key} as trimmed text; {@code dflt} when absent, {@code null} or blank. */
    public String text(String key, String dflt) {
        String v = text(key);
        return v == null || v.isBlank() ? dflt : v.strip();
    }

    /** A YAML whole number >= 1 at {@code key}; null when absent or wrong (then a problem). */
    public Integer positiveInt(String key) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) return null;
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 1) {
            problem(key, v + " must be a whole number >= 1");
            return null;
        }
        return v.asInt();
    }

    /** A whole number >= 1, written plainly, with underscores ({@code 2_000_000_000}) or as {@code 2e9}. */
    public long positiveLong(String key, long dflt) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) return dflt;
        try {
            double n = Double.parseDouble(v.asText().trim().replace("_", ""));
            if (n >= 1 && n <= Long.MAX_VALUE && n == Math.rint(n)) return (long) n;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        problem(key, v.asText() + " must be a whole number >= 1 (e.g. 2000000000 or 2e9)");
        return dflt;
    }

    /** A size in bytes: {@code 512MiB}, {@code 2GB}, or a plain number of bytes. */
    public long bytes(String key, long dflt) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) return dflt;
        java.util.OptionalLong n = parseBytes(v.asText());
        if (n.isEmpty()) {
            problem(key, v.asText() + " is not a size; write e.g. 512MiB, 1GiB, 2GB or a number of bytes");
            return dflt;
        }
        return n.getAsLong();
    }

    /**
     * The one grammar of sizes (config.md; also {@code serve --max-upload}): {@code 512MiB}, {@code 1GiB}, {@code 2GB}
     * (decimal units), or a plain number of bytes; empty when {@code text} is none of these.
     */
    public static java.util.OptionalLong parseBytes(String text) {
        Matcher m = BYTES.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) return java.util.OptionalLong.empty();
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
        return java.util.OptionalLong.of(Math.round(Double.parseDouble(m.group(1)) * mult));
    }

    /** A duration of an upstream call or poll: {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h} or ISO-8601. */
    public Duration duration(String key, Duration dflt) {
        if (!node.has(key)) return dflt;
        String v = node.get(key).asText().trim().toLowerCase(Locale.ROOT);
        Matcher m = TIMING_DURATION.matcher(v);
        if (m.matches()) return Duration.ofMillis(Math.round(Double.parseDouble(m.group(1)) * millis(m.group(2))));
        try {
            return Duration.parse(v.toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
            problem(key, v + " is not a duration; write e.g. 500ms, 10s, 5m, 1h");
            return dflt;
        }
    }

    /** A positive duration that may run to days: {@code 500ms}, {@code 90s}, {@code 5m}, {@code 1h}, {@code 7d}. */
    public Duration positiveDuration(String key, Duration dflt) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) return dflt;
        Matcher m = DURATION.matcher(v.asText().trim().toLowerCase(Locale.ROOT));
        if (!m.matches() || Double.parseDouble(m.group(1)) <= 0) {
            problem(key, v.asText() + " is not a positive duration; write e.g. 500ms, 90s, 5m, 1h, 7d");
            return dflt;
        }
        return Duration.ofMillis(Math.max(1, Math.round(Double.parseDouble(m.group(1)) * millis(m.group(2)))));
    }

    private static double millis(String unit) {
        return switch (unit) {
            case "ms" -> 1;
            case "s" -> 1000;
            case "m" -> 60_000;
            case "h" -> 3_600_000;
            default -> 86_400_000;
        };
    }

    /**
     * A credential from the environment variable named at {@code envKey} or the file named at {@code fileKey}
     * (relative to the config file's folder); null when neither is given or it cannot be read (then a problem).
     */
    public Secret secret(String envKey, String fileKey) {
        return readSecret(node, field, envKey, fileKey, baseDir, env, problems);
    }

    /** A credential from the environment variable named at {@code key} only; null when not given or unset (a problem). */
    public Secret envSecret(String key) {
        String var = text(key, null);
        if (var == null) return null;
        String v = env.apply(var);
        if (v == null || v.isBlank()) {
            problem(key, "environment variable " + var + " is not set");
            return null;
        }
        return new Secret(v, "env " + var);
    }

    Function<String, String> env() {
        return env;
    }

    Path baseDir() {
        return baseDir;
    }

    List<String> problems() {
        return problems;
    }

    /** The one way a credential is read from {@code framegate.yaml}: an environment variable or a file, never the YAML. */
    static Secret readSecret(JsonNode node, String f, String envKey, String fileKey, Path baseDir,
                             Function<String, String> env, List<String> problems) {
        String var = text(node, envKey);
        String file = text(node, fileKey);
        if (var != null && file != null) {
            problems.add(f + ": give " + envKey + " or " + fileKey + ", not both");
            return null;
        }
        if (var != null) {
            String v = env.apply(var);
            if (v == null || v.isBlank()) {
                problems.add(f + "." + envKey + ": environment variable " + var + " is not set");
                return null;
            }
            return new Secret(v, "env " + var);
        }
        if (file != null) {
            Path p = baseDir != null ? baseDir.resolve(file) : Path.of(file);
            try {
                String v = Files.readString(p).strip();
                if (v.isEmpty()) {
                    problems.add(f + "." + fileKey + ": " + p + " is empty");
                    return null;
                }
                return new Secret(v, "file " + p);
            } catch (IOException e) {
                problems.add(f + "." + fileKey + ": cannot read " + p + " (" + e.getClass().getSimpleName() + ")");
                return null;
            }
        }
        return null;
    }

    static String text(JsonNode node, String key) {
        JsonNode v = node.get(key);
        return v == null || v.isNull() ? null : v.asText();
    }
}
