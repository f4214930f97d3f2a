package io.framegate.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.framegate.domain.Lifecycle;
import io.framegate.domain.ModelCatalog;
import io.framegate.domain.ModelSpec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads the providers' part of {@code framegate.yaml} (format: docs/config.md): {@code providers}, {@code channels},
 * {@code routes}, {@code aliases}, {@code default_route} and {@code timing}. The server reads its own sections
 * ({@code workers}, {@code database}, ...) from the same {@link ConfigTree}. Every problem is reported at once, each
 * naming its field; unknown keys are problems too (a typo must not silently drop a setting). Credentials are read
 * here, from environment variables or files, and held as {@link Secret}s.
 */
public final class ConfigLoader {
    private static final Set<String> ROUTE_KEYS = Set.of("channels", "reference_as");
    private static final Set<String> TARGET_KEYS = Set.of("channel", "model", "allow_retired");
    private static final Set<String> TIMING_KEYS = Set.of("poll_initial", "poll_max", "poll_factor", "deadline",
            "retry_attempts", "retry_base", "retry_max", "cooldown", "request_timeout");

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

    /** A file holding only the providers' sections (the server reads its file with its own sections too). */
    public FramegateConfig load(Path file) {
        ConfigTree tree = ConfigTree.load(file, env);
        FramegateConfig config = read(tree);
        tree.finish();
        return config;
    }

    /** Text holding only the providers' sections. @param baseDir where relative {@code *_file} paths start */
    public FramegateConfig parse(String yaml, String source, Path baseDir) {
        ConfigTree tree = ConfigTree.parse(yaml, source, baseDir, env);
        FramegateConfig config = read(tree);
        tree.finish();
        return config;
    }

    /**
     * Reads the providers' sections of {@code tree}, recording problems there; the caller reads its own sections and
     * then calls {@link ConfigTree#finish}, which fails the file on any problem. The result is only meaningful then.
     */
    public FramegateConfig read(ConfigTree tree) {
        ConfigSection providerSection = tree.section("providers");
        ConfigSection channelSection = tree.section("channels");
        ConfigSection routeSection = tree.section("routes");
        ConfigSection aliasSection = tree.section("aliases");
        ConfigSection defaultRouteSection = tree.section("default_route");
        ConfigSection timingSection = tree.section("timing");
        List<String> problems = providerSection.problems();

        Map<String, JsonNode> providers = new LinkedHashMap<>();
        providerSection.forEachEntry((name, entry) -> {
            JsonNode node = entry.node();
            String f = entry.field();
            String type = text(node, "type");
            String types = String.join(", ", factories.types());
            if (type == null) problems.add(f + ".type: missing; one of " + types);
            else if (factories.find(type).isEmpty()) problems.add(f + ".type: " + type + " is not one of " + types);
            factories.find(type).ifPresent(t -> entry.allowOnly(plus("type", t.keys())));
            providers.put(name, node);
        });

        Map<String, FramegateConfig.ChannelConfig> channels = new LinkedHashMap<>();
        if (channelSection.absent()) {
            // Without a channels section each provider is one channel of the same name.
            for (Map.Entry<String, JsonNode> p : providers.entrySet()) {
                FramegateConfig.ChannelConfig c = channel(p.getKey(), p.getKey(), p.getValue(),
                        JsonNodeFactory.instance.objectNode(),
                        "providers." + p.getKey(), providerSection, problems);
                if (c != null) channels.put(p.getKey(), c);
            }
        } else {
            channelSection.forEachEntry((name, entry) -> {
                JsonNode node = entry.node();
                String f = entry.field();
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
                factories.find(text(p, "type")).ifPresent(t -> entry.allowOnly(plus("provider", t.keys())));
                FramegateConfig.ChannelConfig c = channel(name, provider, p, node, f, channelSection, problems);
                if (c != null) channels.put(name, c);
            });
        }

        Map<String, FramegateConfig.RouteConfig> routes = new LinkedHashMap<>();
        routeSection.forEachEntry((key, entry) -> {
            JsonNode node = entry.node();
            String f = entry.field();
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
            ConfigSection listed = node.isObject() ? entry.child("channels") : entry;
            JsonNode list = listed.node();
            ReferenceAs refAs = ReferenceAs.FIRST_FRAME;
            if (node.isObject()) {
                entry.allowOnly(ROUTE_KEYS);
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
                FramegateConfig.Target t = target(listed.item(i), model, channels, problems);
                if (t != null) targets.add(t);
            }
            routes.put(model.id(), new FramegateConfig.RouteConfig(model.id(), targets, refAs));
        });

        Map<String, String> aliases = new LinkedHashMap<>();
        aliasSection.forEachEntry((alias, entry) -> {
            JsonNode node = entry.node();
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

        String defaultRoute = defaultRouteSection.absent() ? "local" : defaultRouteSection.node().asText();
        if (!Set.of("local", "none").contains(defaultRoute)) {
            problems.add("default_route: " + defaultRoute + " is not one of local, none");
        }
        ProviderSettings settings = timing(timingSection);
        return new FramegateConfig(channels, routes, aliases, defaultRoute, settings);
    }

    private FramegateConfig.ChannelConfig channel(String name, String providerName, JsonNode provider, JsonNode own,
                                                  String f, ConfigSection in, List<String> problems) {
        ProviderFactory factory = factories.find(text(provider, "type")).orElse(null);
        if (factory == null) return null; // reported under providers
        int before = problems.size();
        ChannelSettings settings = factory.configure(new ProviderSection(name, providerName, provider, own, f,
                factory.credentialKeys(), in.baseDir(), in.env(), problems));
        if (settings == null && problems.size() == before) {
            problems.add(f + ": the " + factory.type() + " provider accepted none of its settings without saying why");
        }
        // kept even when broken (the file fails anyway), so routes naming it are still checked
        return new FramegateConfig.ChannelConfig(name, providerName, factory.type(), settings);
    }

    private static Set<String> plus(String key, Set<String> keys) {
        Set<String> all = new java.util.HashSet<>(keys);
        all.add(key);
        return all;
    }

    private FramegateConfig.Target target(ConfigSection item, ModelSpec routeModel,
                                          Map<String, FramegateConfig.ChannelConfig> channels, List<String> problems) {
        JsonNode node = item.node();
        String f = item.field();
        String channel;
        String modelName = null;
        boolean allowRetired = false;
        if (node.isTextual()) {
            channel = node.asText();
        } else if (node.isObject()) {
            item.allowOnly(TARGET_KEYS);
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

    private static ProviderSettings timing(ConfigSection t) {
        ProviderSettings d = ProviderSettings.DEFAULTS;
        if (!t.mapping("poll_*, deadline, retry_*, cooldown, request_timeout", TIMING_KEYS)) return d;
        JsonNode node = t.node();
        List<String> problems = t.problems();
        int before = problems.size();
        Duration pollInitial = t.duration("poll_initial", d.pollInitial());
        Duration pollMax = t.duration("poll_max", d.pollMax());
        Duration deadline = t.duration("deadline", d.deadline());
        Duration retryBase = t.duration("retry_base", d.retryBase());
        Duration retryMax = t.duration("retry_max", d.retryMax());
        Duration cooldown = t.duration("cooldown", d.cooldown());
        Duration requestTimeout = t.duration("request_timeout", d.requestTimeout());
        double factor = node.has("poll_factor") ? node.get("poll_factor").asDouble(-1) : d.pollFactor();
        if (factor < 1) t.problem("poll_factor", node.get("poll_factor") + " must be a number >= 1");
        int attempts = node.has("retry_attempts") ? node.get("retry_attempts").asInt(0) : d.retryAttempts();
        if (attempts < 1) t.problem("retry_attempts", node.get("retry_attempts") + " must be an integer >= 1");
        if (problems.size() > before) return d;
        return new ProviderSettings(pollInitial, pollMax, factor, deadline, attempts, retryBase, retryMax, cooldown, requestTimeout);
    }

    private String knownModels() {
        return String.join(", ", catalog.models().stream().map(ModelSpec::id).toList());
    }

    private static String text(JsonNode node, String key) {
        return ConfigSection.text(node, key);
    }
}
