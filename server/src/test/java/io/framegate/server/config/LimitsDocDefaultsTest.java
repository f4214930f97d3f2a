package io.framegate.server.config;

import io.framegate.domain.ImageLimits;
import io.framegate.domain.ModelCatalog;
import io.framegate.server.IdempotencyKeys;
import io.framegate.server.ServerOptions;
import io.framegate.server.jobs.ExtensionFrame;
import io.framegate.server.jobs.WorkerSettings;
import io.framegate.server.veo.VeoRequestTranslator;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/limits.md: every default its two limit tables give is the code's. The tables are read from the file, so a
 * default changed on one side only fails here: the config keys' defaults ("Per-request and per-job limits") are
 * written into a framegate.yaml and parsed, the intake caps ("Request intake and the API surfaces") are compared with
 * the constants the server uses.
 */
class LimitsDocDefaultsTest {
    private static final Pattern ROW = Pattern.compile("(?m)^\\| (.+?) \\| (.+?) \\| (.+?) \\|$");
    private static final Pattern CONFIG_KEY = Pattern.compile("`((?:limits|retention|timing|workers)\\.[a-z_]+)`");
    private static final Pattern LEADING = Pattern.compile("^([0-9][0-9.e]*)\\s*(min|GiB|MB|days|h|s|px|megapixels|characters|running)?\\b");
    private static final Map<String, String> YAML_UNIT = Map.of("min", "m", "GiB", "GiB", "days", "d", "h", "h", "s", "s");

    private static ServerConfig parse(String yaml) {
        return ConfigFile.parse(yaml, "framegate.yaml", null, ModelCatalog.builtIn(), k -> null);
    }

    /** Rows of the table under {@code heading}: first cell -> second cell (the default). */
    private static Map<String, String> table(String heading) throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "limits.md"));
        int start = doc.indexOf("\n## " + heading + "\n");
        assertThat(start).as("section %s of docs/limits.md", heading).isPositive();
        int end = doc.indexOf("\n## ", start + 4);
        Matcher row = ROW.matcher(doc.substring(start, end < 0 ? doc.length() : end));
        Map<String, String> rows = new LinkedHashMap<>();
        while (row.find()) {
            if (row.group(1).equals("Limit") || row.group(1).startsWith("---")) continue;
            rows.put(row.group(1), row.group(2));
        }
        return rows;
    }

    /** The number a default cell starts with, and its unit (or null). */
    private static String[] leading(String cell) {
        Matcher m = LEADING.matcher(cell.replace(",", ""));
        assertThat(m.find()).as("a default that starts with a number: %s", cell).isTrue();
        return new String[] {m.group(1), m.group(2)};
    }

    @Test
    void theConfigDefaultsOfThePerRequestAndPerJobTableAreTheCodes() throws Exception {
        Map<String, Map<String, String>> sections = new TreeMap<>();
        List<String> seen = new ArrayList<>();
        for (Map.Entry<String, String> row : table("Per-request and per-job limits").entrySet()) {
            Matcher key = CONFIG_KEY.matcher(row.getKey());
            if (!key.find() || !Character.isDigit(row.getValue().charAt(0))) continue; // e.g. poll_max: no number of its own
            String[] value = leading(row.getValue());
            String yaml = new BigDecimal(value[0]).toPlainString() + (value[1] == null ? "" : YAML_UNIT.get(value[1]));
            String section = key.group(1).substring(0, key.group(1).indexOf('.'));
            sections.computeIfAbsent(section, s -> new TreeMap<>()).put(key.group(1).substring(section.length() + 1), yaml);
            seen.add(key.group(1));
        }
        assertThat(seen).as("the documented defaults found").containsExactlyInAnyOrder("limits.local_pixel_frames",
                "limits.extension_chain", "limits.local_render_deadline", "limits.min_free_disk", "retention.results",
                "retention.inputs_grace", "timing.deadline", "timing.request_timeout", "workers.max_attempts",
                "workers.max_download_attempts", "workers.max_internal_poll_failures", "workers.cloud",
                "limits.max_queued_jobs");

        StringBuilder yaml = new StringBuilder("default_route: local\n");
        sections.forEach((section, keys) -> {
            yaml.append(section).append(":\n");
            keys.forEach((k, v) -> yaml.append("  ").append(k).append(": ").append(v).append('\n'));
        });
        ServerConfig documented = parse(yaml.toString());
        ServerConfig none = parse("default_route: local\n");
        assertThat(documented.limits()).as(yaml.toString()).isEqualTo(none.limits());
        assertThat(documented.retention()).as(yaml.toString()).isEqualTo(none.retention());
        assertThat(documented.providers().settings()).as(yaml.toString()).isEqualTo(none.providers().settings());
        // a file without workers keys leaves them null: the server's defaults (what `serve` starts with) then apply
        WorkerSettings served = ServerOptions.defaults(Path.of(".")).workers();
        assertThat(documented.workers().cloud()).as("workers.cloud").isEqualTo(served.cloudSlots());
        assertThat(documented.workers().maxAttempts()).as("workers.max_attempts").isEqualTo(served.maxAttempts());
        assertThat(documented.workers().maxDownloadAttempts()).as("workers.max_download_attempts")
                .isEqualTo(served.maxDownloadAttempts());
        assertThat(documented.workers().maxInternalPollFailures()).as("workers.max_internal_poll_failures")
                .isEqualTo(served.maxInternalPollFailures());
    }

    @Test
    void theIntakeCapsOfTheRequestTablesAreTheServersConstants() throws Exception {
        Map<String, String> perRequest = table("Per-request and per-job limits");
        Map<String, String> intake = table("Request intake and the API surfaces");
        Map<String, Long> documented = new LinkedHashMap<>();
        Map<String, Long> code = new LinkedHashMap<>();
        long mib = 1024 * 1024;
        ImageLimits limits = ImageLimits.DEFAULTS;
        add(documented, code, "Request body", perRequest, mib, ServerOptions.DEFAULT_MAX_UPLOAD_BYTES);
        add(documented, code, "Pixels per image", intake, 1_000_000, limits.maxPixels());
        add(documented, code, "Longest side per image", intake, 1, limits.maxSide());
        add(documented, code, "Scans per JPEG", intake, 1, io.framegate.engine.ImageHeader.MAX_JPEG_SCANS);
        add(documented, code, "Images per request", intake, 1, limits.maxImages());
        add(documented, code, "Encoded image bytes per request", intake, mib, limits.maxRequestBytes());
        add(documented, code, "Time for a request's image URL downloads", intake, 1, limits.fetchDeadline().toSeconds());
        add(documented, code, "Image URL downloads at once", intake, 1, limits.fetchConcurrency());
        add(documented, code, "`Idempotency-Key` length", intake, 1, IdempotencyKeys.MAX_LENGTH);
        add(documented, code, "Source video of an extension", intake, mib, ExtensionFrame.MAX_SOURCE_BYTES);
        String perImage = row(intake, "Bytes per image");
        Matcher veo = Pattern.compile("(\\d+) MB \\(Veo\\)").matcher(perImage);
        assertThat(veo.find()).as(perImage).isTrue();
        documented.put("Bytes per image (Veo)", Long.parseLong(veo.group(1)) * mib);
        code.put("Bytes per image (Veo)", (long) VeoRequestTranslator.MAX_IMAGE_BYTES);
        assertThat(perImage).as("OpenAI: the upload limit").contains("the upload limit");
        assertThat(documented).isEqualTo(code);
        assertThat(Duration.ofSeconds(documented.get("Time for a request's image URL downloads")))
                .isEqualTo(limits.fetchDeadline());
    }

    private static String row(Map<String, String> table, String prefix) {
        return table.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).map(Map.Entry::getValue).findFirst()
                .orElseThrow(() -> new AssertionError("no row '" + prefix + "' in docs/limits.md"));
    }

    private static void add(Map<String, Long> documented, Map<String, Long> code, String prefix, Map<String, String> table,
                            long unit, long actual) {
        documented.put(prefix, new BigDecimal(leading(row(table, prefix))[0]).multiply(BigDecimal.valueOf(unit)).longValueExact());
        code.put(prefix, actual);
    }
}
