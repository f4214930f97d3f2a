package io.framegate.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * {@code framegate.yaml} parsed once, for every module that owns some of its top-level sections: the providers
 * module reads {@code providers}, {@code channels}, {@code routes}, ... ({@link ConfigLoader#read}), the server reads
 * {@code workers}, {@code database}, ... Each reader takes its sections with {@link #section} and records problems
 * there; {@link #finish} then reports every problem of the file at once, top-level keys no reader took first (a typo
 * must not silently drop a setting).
 */
public final class ConfigTree {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final JsonNode root;
    private final String source;
    private final Path baseDir;
    private final Function<String, String> env;
    private final List<String> problems = new ArrayList<>();
    private final Set<String> claimed = new TreeSet<>();

    private ConfigTree(JsonNode root, String source, Path baseDir, Function<String, String> env) {
        this.root = root;
        this.source = source;
        this.baseDir = baseDir;
        this.env = env;
    }

    /** @throws ConfigException the file cannot be read or is not a YAML mapping */
    public static ConfigTree load(Path file, Function<String, String> env) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(file.toString(), List.of("cannot read: " + e.getMessage()));
        }
        return parse(text, file.toString(), file.toAbsolutePath().getParent(), env);
    }

    /**
     * @param baseDir where relative {@code *_file} paths start
     * @param env     environment lookup for {@code *_env} credentials ({@code System::getenv} in production)
     * @throws ConfigException the text is not a YAML mapping
     */
    public static ConfigTree parse(String yaml, String source, Path baseDir, Function<String, String> env) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ConfigException(source, List.of("not valid YAML" + yamlProblem(e)));
        } catch (IOException e) {
            throw new ConfigException(source, List.of("not valid YAML: " + e.getMessage()));
        }
        if (root == null || root.isMissingNode() || root.isNull()) root = YAML.createObjectNode();
        if (!root.isObject()) {
            throw new ConfigException(source, List.of("the file must be a mapping with providers, channels, routes"));
        }
        return new ConfigTree(root, source, baseDir, env);
    }

    /** The top-level section {@code key} (missing when the file has none), taken by the caller: no longer unknown. */
    public ConfigSection section(String key) {
        claimed.add(key);
        return new ConfigSection(root.path(key), key, baseDir, env, problems);
    }

    /**
     * Ends reading: top-level keys no reader took are problems, and any problem fails the whole file.
     *
     * @throws ConfigException with every problem, each naming its key and value
     */
    public void finish() {
        List<String> all = new ArrayList<>();
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!claimed.contains(k)) all.add(k + ": unknown key; allowed: " + String.join(", ", claimed));
        }
        all.addAll(problems);
        if (!all.isEmpty()) throw new ConfigException(source, all);
    }

    /**
     * Where and what the YAML parser found, on one line: " at line 3, column 12: while parsing a flow node: expected
     * the node content, but found '<stream end>'" (its message also quotes the text with a caret under it, over several
     * lines, and names the parser's internal reader).
     */
    static String yamlProblem(com.fasterxml.jackson.core.JsonProcessingException e) {
        StringBuilder out = new StringBuilder();
        com.fasterxml.jackson.core.JsonLocation at = e.getLocation();
        if (at != null && at.getLineNr() > 0) out.append(" at line ").append(at.getLineNr()).append(", column ").append(at.getColumnNr());
        String what = e.getOriginalMessage() == null ? "" : e.getOriginalMessage().lines()
                .filter(l -> !l.isBlank() && !Character.isWhitespace(l.charAt(0)))
                .collect(java.util.stream.Collectors.joining(": "));
        return what.isEmpty() ? out.toString() : out + ": " + what;
    }
}
