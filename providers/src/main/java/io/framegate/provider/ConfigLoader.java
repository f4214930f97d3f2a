package io.framegate.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.framegate.domain.Lifecycle;
import io.framegate.domain.ModelCatalog;
import io.framegate.domain.ModelSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code framegate.yaml} (format: docs/config.md). Reports every problem at once, each naming its field;
 * unknown keys are problems too (a typo must not silently drop a setting). Credentials are read here, from
 * environment variables or files, and held as {@link Secret}s.
 */
public final class ConfigLoader {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> TOP = Set.of("providers", "channels", "routes", "aliases", "default_route", "timing",
            "workers", "database", "limits", "retention", "storage", "database_pools");
    private static final Set<String> WORKER_KEYS = Set.of("local", "cloud", "max_attempts");
    private static final Set<String> DATABASE_KEYS = Set.of("url", "user", "password_env", "password_file");
    private static final Set<String> ROUTE_KEYS = Set.of("channels", "reference_as");
    private static final Set<String> TARGET_KEYS = Set.of("channel", "model", "allow_retired");
    private static final Set<String> TIMING_KEYS = Set.of("poll_initial", "poll_max", "poll_factor", "deadline",
            "retry_attempts", "retry_base", "retry_max", "cooldown", "request_timeout");
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)");

    private final ModelCatalog catalog;
    private final Function<String, String> env;
    private final ProviderFactories factories;

    /** With the provider types on the class path. @param env environment lookup ({@code System::getenv} in production) */
    public ConfigLoader(ModelCatalog catalog, Function<String, String> env) {
        this(catalog, env, ProviderFactories.discover());
    }

    public ConfigLoader(ModelCatalog catalog, Function<String, String> env, ProviderFactories factories) {
        this.catalog = catalog;
        this.env = env;
        this.factories = factories;
    }

    public FramegateConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(file.toString(), List.of("cannot read: " + e.getMessage()));
        }
        return parse(text, file.toString(), file.toAbsolutePath().getParent());
    }

    /** @param baseDir where relative {@code *_file} paths start */
    public FramegateConfig parse(String yaml, String source, Path baseDir) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (IOException e) {
            throw new ConfigException(source, List.of("not valid YAML: " + e.getMessage()));
        }
        List<String> problems = new ArrayList<>();
        if (root == null || root.isMissingNode() || root.isNull()) root = YAML.createObjectNode();
        if (!root.isObject()) throw new ConfigException(source, List.of("the file must be a mapping with providers, channels, routes"));
        unknownKeys(root, TOP, "", problems);

        Map<String, JsonNode> providers = new LinkedHashMap<>();
        forEachField(root.path("providers"), "providers", problems, (name, node) -> {
            String f = "providers." + name;
            String type = text(node, "type");
            String types = String.join(", ", factories.types());
            if (type == null) problems.add(f + ".type: missing; one of " + types);
            else if (factories.find(type).isEmpty()) problems.add(f + ".type: " + type + " is not one of " + types);
            factories.find(type).ifPresent(t -> unknownKeys(node, plus("type", t.keys()), f + ".", problems));
            providers.put(name, node);
        });

        Map<String, FramegateConfig.ChannelConfig> channels = new LinkedHashMap<>();
        JsonNode channelNodes = root.path("channels");
        if (channelNodes.isMissingNode() || channelNodes.isNull()) {
            // Without a channels section each provider is one channel of the same name.
            for (Map.Entry<String, JsonNode> p : providers.entrySet()) {
                FramegateConfig.ChannelConfig c = channel(p.getKey(), p.getKey(), p.getValue(), YAML.createObjectNode(),
                        "providers." + p.getKey(), baseDir, problems);
                if (c != null) channels.put(p.getKey(), c);
            }
        } else {
            forEachField(channelNodes, "channels", problems, (name, node) -> {
                String f = "channels." + name;
                String provider = text(node, "provider");
                if (provider == null) {
                    problems.add(f + ".provider: missing; name one of providers: " + String.join(", ", providers.keySet()));
                    return;
                }
                JsonNode p = providers.get(provider);
                if (p == null) {
                    problems.add(f + ".provider: " + provider + " is not defined under providers ("
                            + String.join(", ", providers.keySet()) + ")");
                    return;
                }
                factories.find(text(p, "type")).ifPresent(t -> unknownKeys(node, plus("provider", t.keys()), f + ".", problems));
                FramegateConfig.ChannelConfig c = channel(name, provider, p, node, f, baseDir, problems);
                if (c != null) channels.put(name, c);
            });
        }

        Map<String, FramegateConfig.RouteConfig> routes = new LinkedHashMap<>();
        forEachField(root.path("routes"), "routes", problems, (key, node) -> {
            String f = "routes." + key;
            ModelSpec model = catalog.find(key).orElse(null);
            if (model == null) {
                problems.add(f + ": " + key + " is not a catalog model (requests are checked against the catalog's rules"
                        + " of the name they ask for; give other names under aliases); known: " + knownModels());
                return;
            }
            if (routes.containsKey(model.id())) {
                problems.add(f + ": " + key + " names " + model.id() + ", which already has a route");
                return;
            }
            JsonNode list = node;
            ReferenceAs refAs = ReferenceAs.FIRST_FRAME;
            if (node.isObject()) {
                unknownKeys(node, ROUTE_KEYS, f + ".", problems);
                list = node.path("channels");
                String ra = text(node, "reference_as");
                if (ra != null) {
                    try {
                        refAs = ReferenceAs.parse(ra);
                    } catch (IllegalArgumentException e) {
                        problems.add(f + ".reference_as: " + e.getMessage());
                    }
                }
                f = f + ".channels";
            }
            if (!list.isArray() || list.isEmpty()) {
                problems.add(f + ": a route is a non-empty list of channels");
                return;
            }
            List<FramegateConfig.Target> targets = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                FramegateConfig.Target t = target(list.get(i), f + "[" + i + "]", model, channels, problems);
                if (t != null) targets.add(t);
            }
            routes.put(model.id(), new FramegateConfig.RouteConfig(model.id(), targets, refAs));
        });

        Map<String, String> aliases = new LinkedHashMap<>();
        forEachField(root.path("aliases"), "aliases", problems, (alias, node) -> {
            String target = node.isTextual() ? node.asText() : null;
            ModelSpec m = target == null ? null : catalog.find(target).orElse(null);
            if (m == null) {
                problems.add("aliases." + alias + ": " + (target == null ? "must name a model" : target
                        + " is not a catalog model; known: " + knownModels()));
            } else if (catalog.find(alias).isPresent() && catalog.find(alias).get() != m) {
                problems.add("aliases." + alias + ": " + alias + " is already the catalog name of " + catalog.find(alias).get().id());
            } else {
                aliases.put(alias.toLowerCase(Locale.ROOT), m.id());
            }
        });

        String defaultRoute = root.hasNonNull("default_route") ? root.get("default_route").asText() : "local";
        if (!Set.of("local", "none").contains(defaultRoute)) {
            problems.add("default_route: " + defaultRoute + " is not one of local, none");
        }
        ProviderSettings settings = timing(root.path("timing"), problems);
        FramegateConfig.Workers workers = workers(root.path("workers"), problems);
        FramegateConfig.Database database = database(root.path("database"), baseDir, problems);
        LimitsConfig limits = LimitsSections.limits(root.path("limits"), problems);
        RetentionConfig retention = LimitsSections.retention(root.path("retention"), problems);
        StorageConfig storage = StorageConfig.parse(root.path("storage"), env, problems);
        DatabasePools pools = DatabasePools.parse(root.path("database_pools"), problems);
        if (!problems.isEmpty()) throw new ConfigException(source, problems);
        return new FramegateConfig(channels, routes, aliases, defaultRoute, settings, workers, database, limits, retention,
                storage, pools);
    }

    private FramegateConfig.ChannelConfig channel(String name, String providerName, JsonNode provider, JsonNode own,
                                                  String f, Path baseDir, List<String> problems) {
        ProviderFactory factory = factories.find(text(provider, "type")).orElse(null);
        if (factory == null) return null; // reported under providers
        int before = problems.size();
        ChannelSettings settings = factory.configure(new ProviderSection(name, providerName, provider, own, f,
                factory.credentialKeys(), baseDir, env, problems));
        if (settings == null && problems.size() == before) {
            problems.add(f + ": the " + factory.type() + " provider accepted none of its settings without saying why");
        }
        // kept even when broken (the file fails anyway), so routes naming it are still checked
        return new FramegateConfig.ChannelConfig(name, providerName, factory.type(), settings);
    }

    /** A credential from the environment variable named by {@code envKey} or the file named by {@code fileKey}. */
    private Secret secret(JsonNode node, String f, String envKey, String fileKey, Path baseDir, List<String> problems) {
        return ProviderSection.readSecret(node, f, envKey, fileKey, baseDir, env, problems);
    }

    private static Set<String> plus(String key, Set<String> keys) {
        Set<String> all = new java.util.HashSet<>(keys);
        all.add(key);
        return all;
    }

    private FramegateConfig.Target target(JsonNode node, String f, ModelSpec routeModel,
                                          Map<String, FramegateConfig.ChannelConfig> channels, List<String> problems) {
        String channel;
        String modelName = null;
        boolean allowRetired = false;
        if (node.isTextual()) {
            channel = node.asText();
        } else if (node.isObject()) {
            unknownKeys(node, TARGET_KEYS, f + ".", problems);
            channel = text(node, "channel");
            modelName = text(node, "model");
            allowRetired = node.path("allow_retired").asBoolean(false);
        } else {
            problems.add(f + ": a channel entry is a channel name or {channel, model}");
            return null;
        }
        if (channel == null) {
            problems.add(f + ".channel: missing");
            return null;
        }
        FramegateConfig.ChannelConfig c = channels.get(channel);
        if (c == null) {
            problems.add(f + ".channel: " + channel + " is not defined under channels (" + String.join(", ", channels.keySet()) + ")");
            return null;
        }
        String field = modelName != null ? f + ".model" : f;
        ModelSpec up = modelName != null ? catalog.find(modelName).orElse(null) : routeModel;
        if (up == null) {
            problems.add(f + ".model: " + modelName + " is not a catalog model; known: " + knownModels());
            return null;
        }
        Lifecycle life = up.lifecycle();
        if (life.isRetired() && !allowRetired) {
            problems.add(field + ": upstream model " + up.id() + " is retired"
                    + (life.shutdown() != null ? " (shut down " + life.shutdown() + ")" : "")
                    + (life.replacement() != null ? "; use " + life.replacement() + " instead"
                    : "; its vendor named no replacement; route to an active model"
                    + " (or set allow_retired: true if this upstream still serves the name)"));
            return null;
        }
        Set<String> serves = factories.find(c.type()).map(ProviderFactory::catalogProviders).orElse(Set.of());
        if (!serves.isEmpty() && !serves.contains(up.provider())) {
            problems.add(field + ": " + up.id() + " is a " + up.provider() + " model; channel " + channel + " is "
                    + c.type() + ", which serves " + String.join(", ", serves.stream().sorted().toList()) + " models only");
            return null;
        }
        if (up.isLocal()) {
            problems.add(field + ": " + up.id() + " is the local engine, not an upstream model");
            return null;
        }
        return new FramegateConfig.Target(channel, up);
    }

    private static FramegateConfig.Workers workers(JsonNode node, List<String> problems) {
        if (node.isMissingNode() || node.isNull()) return FramegateConfig.Workers.UNSET;
        if (!node.isObject()) {
            problems.add("workers: must be a mapping with local and/or cloud");
            return FramegateConfig.Workers.UNSET;
        }
        unknownKeys(node, WORKER_KEYS, "workers.", problems);
        return new FramegateConfig.Workers(slots(node, "local", problems), slots(node, "cloud", problems),
                slots(node, "max_attempts", problems));
    }

    private static Integer slots(JsonNode node, String key, List<String> problems) {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) return null;
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.asInt() < 1) {
            problems.add("workers." + key + ": " + v + " must be a whole number >= 1");
            return null;
        }
        return v.asInt();
    }

    private FramegateConfig.Database database(JsonNode node, Path baseDir, List<String> problems) {
        if (node.isMissingNode() || node.isNull()) return FramegateConfig.Database.EMBEDDED;
        if (!node.isObject()) {
            problems.add("database: must be a mapping with url, user, password_env or password_file");
            return FramegateConfig.Database.EMBEDDED;
        }
        unknownKeys(node, DATABASE_KEYS, "database.", problems);
        String url = text(node, "url");
        if (url == null) {
            problems.add("database.url: missing; a JDBC URL (without a database section the embedded file database is used)");
        } else if (!url.startsWith("jdbc:")) {
            problems.add("database.url: " + url + " is not a JDBC URL (jdbc:...)");
        }
        Secret password = secret(node, "database", "password_env", "password_file", baseDir, problems);
        return new FramegateConfig.Database(url, text(node, "user"), password);
    }

    private ProviderSettings timing(JsonNode node, List<String> problems) {
        ProviderSettings d = ProviderSettings.DEFAULTS;
        if (node.isMissingNode() || node.isNull()) return d;
        unknownKeys(node, TIMING_KEYS, "timing.", problems);
        int before = problems.size();
        Duration pollInitial = duration(node, "poll_initial", d.pollInitial(), problems);
        Duration pollMax = duration(node, "poll_max", d.pollMax(), problems);
        Duration deadline = duration(node, "deadline", d.deadline(), problems);
        Duration retryBase = duration(node, "retry_base", d.retryBase(), problems);
        Duration retryMax = duration(node, "retry_max", d.retryMax(), problems);
        Duration cooldown = duration(node, "cooldown", d.cooldown(), problems);
        Duration requestTimeout = duration(node, "request_timeout", d.requestTimeout(), problems);
        double factor = node.has("poll_factor") ? node.get("poll_factor").asDouble(-1) : d.pollFactor();
        if (factor < 1) problems.add("timing.poll_factor: " + node.get("poll_factor") + " must be a number >= 1");
        int attempts = node.has("retry_attempts") ? node.get("retry_attempts").asInt(0) : d.retryAttempts();
        if (attempts < 1) problems.add("timing.retry_attempts: " + node.get("retry_attempts") + " must be an integer >= 1");
        if (problems.size() > before) return d;
        return new ProviderSettings(pollInitial, pollMax, factor, deadline, attempts, retryBase, retryMax, cooldown, requestTimeout);
    }

    private static Duration duration(JsonNode node, String key, Duration dflt, List<String> problems) {
        if (!node.has(key)) return dflt;
        String v = node.get(key).asText().trim().toLowerCase(Locale.ROOT);
        Matcher m = DURATION.matcher(v);
        if (m.matches()) {
            double n = Double.parseDouble(m.group(1));
            long ms = Math.round(n * switch (m.group(2)) {
                case "ms" -> 1;
                case "s" -> 1000;
                case "m" -> 60_000;
                default -> 3_600_000;
            });
            return Duration.ofMillis(ms);
        }
        try {
            return Duration.parse(v.toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
            problems.add("timing." + key + ": " + v + " is not a duration; write e.g. 500ms, 10s, 5m, 1h");
            return dflt;
        }
    }

    private String knownModels() {
        return String.join(", ", catalog.models().stream().map(ModelSpec::id).toList());
    }

    private interface FieldVisitor {
        void visit(String name, JsonNode node);
    }

    private static void forEachField(JsonNode node, String f, List<String> problems, FieldVisitor v) {
        if (node.isMissingNode() || node.isNull()) return;
        if (!node.isObject()) {
            problems.add(f + ": must be a mapping of names to entries");
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            v.visit(e.getKey(), e.getValue());
        }
    }

    private static void unknownKeys(JsonNode node, Set<String> allowed, String prefix, List<String> problems) {
        if (!node.isObject()) return;
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!allowed.contains(k)) {
                problems.add(prefix + k + ": unknown key; allowed: " + String.join(", ", allowed.stream().sorted().toList()));
            }
        }
    }

    private static String text(JsonNode node, String key) {
        JsonNode v = node.get(key);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static String pick(JsonNode own, JsonNode provider, String key) {
        String v = text(own, key);
        return v != null ? v : text(provider, key);
    }
}
