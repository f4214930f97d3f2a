package io.framegate.provider;

import io.framegate.domain.BackendRouter;
import io.framegate.domain.GenerationBackend;
import io.framegate.domain.GenerationContext;
import io.framegate.domain.GenerationException;
import io.framegate.domain.ModelCatalog;
import io.framegate.domain.ModelSpec;
import io.framegate.domain.RenderPlan;
import io.framegate.domain.RequestValidator;
import io.framegate.domain.ValidationException;
import io.framegate.domain.Violation;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * The {@link BackendRouter} built from {@code framegate.yaml}: each routed model gets a {@link FailoverBackend}
 * over its channels; every other model goes to the default route ({@code local}: the offline engine the server
 * passes in; {@code none}: {@link #choose} refuses the create; a job accepted before its model lost its route ends
 * {@code route_changed} in the job core, or {@code no_route} if its row names no route).
 */
public final class Routing implements BackendRouter, AutoCloseable {
    private final FramegateConfig config;
    private final GenerationBackend local;
    private final Map<String, Channel> channels = new LinkedHashMap<>();
    private final Map<String, FailoverBackend> routes = new LinkedHashMap<>();

    /** With the built-in catalog, the wall clock and the engine's previews (the CLI's {@code generate --config}). */
    public static Routing of(FramegateConfig cfg, GenerationBackend local) {
        return new Routing(cfg, local, new RequestValidator(ModelCatalog.builtIn()), PreviewMaker.ENGINE, Ticker.SYSTEM,
                RandomGenerator.getDefault());
    }

    public Routing(FramegateConfig config, GenerationBackend local, RequestValidator validator, PreviewMaker previews,
                   Ticker ticker, RandomGenerator random) {
        this(config, local, validator, previews, ticker, random, null);
    }

    /**
     * @param inputUrls serves fitted input images to upstreams that read images only from URLs (the server's signed
     *                  links, when it has a public base URL); null: such routes refuse jobs with images at create
     */
    public Routing(FramegateConfig config, GenerationBackend local, RequestValidator validator, PreviewMaker previews,
                   Ticker ticker, RandomGenerator random, InputUrls inputUrls) {
        this.config = config;
        this.local = local;
        ProviderSettings s = config.settings();
        for (FramegateConfig.ChannelConfig c : config.channels().values()) {
            channels.put(c.name(), new Channel(c.name(), c.settings().open(s)));
        }
        Retrier retrier = new Retrier(s.retryAttempts(), s.retryBase(), s.retryMax(), random);
        for (FramegateConfig.RouteConfig r : config.routes().values()) {
            List<UpstreamBackend> targets = new ArrayList<>();
            for (FramegateConfig.Target t : r.targets()) {
                targets.add(new UpstreamBackend(channels.get(t.channel()), t.upstreamModel(), r.referenceAs(), validator,
                        s, previews, ticker, retrier, inputUrls));
            }
            routes.put(r.model(), new FailoverBackend("route:" + r.model(), targets, ticker));
        }
    }

    @Override
    public GenerationBackend backendFor(ModelSpec model) {
        FailoverBackend route = routes.get(model.id());
        if (route != null) return route;
        if ("local".equals(config.defaultRoute())) return local;
        return new NoRoute(model.id());
    }

    /** The route of a model, if it has one. */
    public Optional<FailoverBackend> route(String modelId) {
        return Optional.ofNullable(routes.get(modelId));
    }

    /**
     * Checks, without any upstream call, that the model's route can honour this plan (roles, size, parameters);
     * lets a server answer 400 at once instead of failing the job later.
     *
     * @throws io.framegate.domain.ValidationException naming each channel's upstream model and what it lacks
     */
    public void preflight(RenderPlan plan) {
        choose(plan);
    }

    /**
     * Which backend would serve this plan now, and at what estimated price: the {@link #preflight} check plus what a
     * job records at submission. No upstream call.
     *
     * @throws io.framegate.domain.ValidationException no channel of the route can honour the plan (naming each
     *                                                 upstream model and what it lacks), the model has no route
     *                                                 and {@code default_route} is {@code none}, or it goes to the
     *                                                 offline engine, which cannot make it (no image to animate)
     */
    public Choice choose(RenderPlan plan) {
        FailoverBackend route = routes.get(plan.model().id());
        if (route != null) {
            List<UpstreamBackend.Prepared> candidates = route.preflight(plan);
            UpstreamBackend.Prepared first = candidates.get(0);
            // the job may fail over to any of them: it reserves the dearest, and is unpriced if any one is unpriced
            Optional<io.framegate.domain.Money> max = FailoverBackend.dearest(candidates);
            return new Choice(route, first.target().channel().name(), first.upstreamPlan().model().id(),
                    max.map(m -> m.micros() / 1_000_000.0), max);
        }
        if ("local".equals(config.defaultRoute())) {
            local.checkServes(plan);
            return new Choice(local, null, null, Optional.of(0.0), Optional.of(io.framegate.domain.Money.ZERO));
        }
        throw new ValidationException(new Violation("model", plan.model().id(), "model " + plan.model().id()
                + " has no route in framegate.yaml and default_route is none; routed models: "
                + String.join(", ", routes.keySet())));
    }

    /**
     * Where a plan goes.
     *
     * @param backend          the route (a {@link FailoverBackend}) or the offline engine
     * @param channel          the channel the job would be sent to now (failover may pick a later one), or null for local
     * @param upstreamModel    the catalog model asked for on that channel, or null for local
     * @param estimatedCostUsd catalog price per second x seconds x videos of the upstream model (0 for local renders;
     *                         empty when the catalog has no price for it), for display
     * @param maxPrice         the same in exact micro-dollars, the highest over every channel the job may fail over to:
     *                         what the job reserves against its key's budget (empty when any of them has no price)
     */
    public record Choice(GenerationBackend backend, String channel, String upstreamModel, Optional<Double> estimatedCostUsd,
                         Optional<io.framegate.domain.Money> maxPrice) {
    }

    /** A name from the config's {@code aliases} section -> the catalog model id it stands for. */
    public Optional<String> resolveAlias(String name) {
        return name == null ? Optional.empty() : Optional.ofNullable(config.aliases().get(name.toLowerCase(Locale.ROOT)));
    }

    public FramegateConfig config() {
        return config;
    }

    public Map<String, Channel> channels() {
        return Map.copyOf(channels);
    }

    @Override
    public void close() {
        channels.values().forEach(c -> c.upstream().close());
    }

    /** What an unrouted model gets under {@code default_route: none}. */
    private record NoRoute(String model) implements GenerationBackend {
        @Override
        public String id() {
            return "none";
        }

        @Override
        public boolean isLocal() {
            return false;
        }

        @Override
        public void generate(RenderPlan plan, GenerationContext ctx) throws GenerationException {
            throw new GenerationException("no_route", "model " + model + " has no route in framegate.yaml and"
                    + " default_route is none");
        }
    }
}
