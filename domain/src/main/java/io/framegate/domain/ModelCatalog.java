package io.framegate.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The models Framegate knows, loaded from a JSON data file ({@code models.json} on the class path by default).
 * An entry may say {@code "extends": "<id>"} to start from another entry and override some fields, so a dated
 * snapshot or a preview name does not repeat its parent's rules.
 */
public final class ModelCatalog {
    private static final String BUILT_IN = "/io/framegate/domain/models.json";
    /** Trees only: entries are mapped by {@link CatalogEntryReader}. */
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, ModelSpec> byId;
    private final Map<String, ModelSpec> byName;

    private ModelCatalog(List<ModelSpec> models) {
        Map<String, ModelSpec> ids = new LinkedHashMap<>();
        Map<String, ModelSpec> names = new LinkedHashMap<>();
        for (ModelSpec m : models) {
            if (ids.put(m.id(), m) != null) throw new IllegalArgumentException("duplicate model id in catalog: " + m.id());
            names.put(key(m.id()), m);
        }
        for (ModelSpec m : models) {
            for (String alias : m.aliases()) {
                ModelSpec prev = names.putIfAbsent(key(alias), m);
                if (prev != null && prev != m) {
                    throw new IllegalArgumentException("alias " + alias + " names both " + prev.id() + " and " + m.id());
                }
            }
        }
        this.byId = ids;
        this.byName = names;
    }

    /**
     * The catalog shipped with Framegate: {@code models.json} plus every block named in {@code catalog/index.txt}
     * (one file name a line; provider-hosted models live in their own block, one per provider). An entry may extend
     * one in another block.
     */
    public static ModelCatalog builtIn() {
        try {
            return parse(builtInTree());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the built-in model catalog: " + e.getMessage(), e);
        }
    }

    /** The built-in catalog's JSON, its blocks' entries in one {@code models} list. */
    static ObjectNode builtInTree() throws IOException {
        ArrayNode all = JSON.createArrayNode();
        all.addAll((ArrayNode) resource(BUILT_IN).path("models"));
        for (String block : blocks()) {
            JsonNode models = resource(BLOCKS + block).path("models");
            if (!models.isArray()) throw new IOException("catalog block " + block + " is not {\"models\": [...]}");
            all.addAll((ArrayNode) models);
        }
        ObjectNode root = JSON.createObjectNode();
        root.set("models", all);
        return root;
    }

    private static final String BLOCKS = "/io/framegate/domain/catalog/";

    private static List<String> blocks() throws IOException {
        try (InputStream in = ModelCatalog.class.getResourceAsStream(BLOCKS + "index.txt")) {
            if (in == null) return List.of();
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines().map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        }
    }

    private static JsonNode resource(String name) throws IOException {
        try (InputStream in = ModelCatalog.class.getResourceAsStream(name)) {
            if (in == null) throw new IOException("missing " + name + " on the class path");
            return JSON.readTree(in);
        }
    }

    /** A catalog from a JSON file of the same shape as the built-in one. */
    public static ModelCatalog load(Path file) {
        try {
            return parse(JSON.readTree(Files.readAllBytes(file)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read model catalog " + file, e);
        }
    }

    static ModelCatalog parse(JsonNode root) throws IOException {
        return parse(root, CatalogEntryReader::modelSpec);
    }

    /** An entry's tree, its {@code extends} resolved, as a model. */
    @FunctionalInterface
    interface EntryReader {
        ModelSpec read(JsonNode entry) throws IOException;
    }

    static ModelCatalog parse(JsonNode root, EntryReader reader) throws IOException {
        JsonNode list = root.path("models");
        if (!list.isArray()) throw new IOException("a catalog is {\"models\": [...]}");
        Map<String, ObjectNode> raw = new LinkedHashMap<>();
        for (JsonNode n : list) {
            String id = n.path("id").asText(null);
            if (id == null) throw new IOException("a catalog entry has no id: " + n);
            // two blocks naming one id (fal's and Replicate's owner/name, say) must not silently drop one
            if (raw.put(id, (ObjectNode) n) != null) throw new IOException("duplicate model id in catalog: " + id);
        }
        List<ModelSpec> models = new ArrayList<>();
        for (String id : raw.keySet()) {
            ObjectNode merged = resolveExtends(id, raw, new ArrayList<>());
            try {
                models.add(reader.read(merged));
            } catch (IOException e) {
                throw new IOException("catalog entry " + id + ": " + e.getMessage(), e);
            }
        }
        return new ModelCatalog(models);
    }

    private static ObjectNode resolveExtends(String id, Map<String, ObjectNode> raw, List<String> chain) throws IOException {
        if (chain.contains(id)) throw new IOException("catalog entries extend each other in a cycle: " + chain);
        ObjectNode own = raw.get(id);
        if (own == null) throw new IOException("catalog entry extends unknown model " + id + " (" + chain + ")");
        chain.add(id);
        ObjectNode result;
        String parent = own.path("extends").asText(null);
        if (parent != null) {
            result = resolveExtends(parent, raw, chain).deepCopy();
            result.remove("aliases"); // aliases name one entry only
            for (Iterator<Map.Entry<String, JsonNode>> it = own.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                result.set(f.getKey(), f.getValue().deepCopy());
            }
        } else {
            result = own.deepCopy();
        }
        result.remove("extends");
        if (!result.has("aliases")) result.set("aliases", new ArrayNode(JSON.getNodeFactory()));
        return result;
    }

    public Collection<ModelSpec> models() {
        return byId.values();
    }

    /** The model with this id or alias (case-insensitive). */
    public Optional<ModelSpec> find(String name) {
        return name == null ? Optional.empty() : Optional.ofNullable(byName.get(key(name)));
    }

    /** Like {@link #find} but an unknown name is a {@link ValidationException} on {@code model}. */
    public ModelSpec require(String name) {
        return find(name).orElseThrow(() -> new ValidationException(new Violation("model", name,
                "model=" + name + " is not a known model; known: " + String.join(", ", byId.keySet()))));
    }

    private static String key(String name) {
        return name.trim().toLowerCase(Locale.ROOT);
    }
}
