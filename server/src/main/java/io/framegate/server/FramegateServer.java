package io.framegate.server;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.framegate.domain.GenerationBackend;
import io.framegate.domain.ModelCatalog;
import io.framegate.domain.RequestValidator;
import io.framegate.engine.LocalEngine;
import io.framegate.provider.ConfigException;
import io.framegate.provider.PreviewMaker;
import io.framegate.provider.Routing;
import io.framegate.provider.Ticker;
import io.framegate.server.admin.AdminApi;
import io.framegate.server.admin.AdminToken;
import io.framegate.server.auth.Authenticator;
import io.framegate.server.auth.KeyStore;
import io.framegate.server.config.ConfigFile;
import io.framegate.server.config.ServerConfig;
import io.framegate.server.db.Database;
import io.framegate.server.jobs.JobLimits;
import io.framegate.server.jobs.JobOutcomes;
import io.framegate.server.jobs.JobService;
import io.framegate.server.jobs.JobStore;
import io.framegate.server.jobs.LocalDeadline;
import io.framegate.server.jobs.OutputFinisher;
import io.framegate.server.jobs.RetentionSweeper;
import io.framegate.server.jobs.WorkerPool;
import io.framegate.server.jobs.WorkerSettings;
import io.framegate.server.storage.DiskSpace;
import io.framegate.server.storage.LocalResultStore;
import io.framegate.server.storage.ResultStore;
import io.framegate.server.storage.S3ResultStore;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.javalin.json.JavalinJackson;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * The whole server: config, routing, database, key store, job service, worker pool, result store and the HTTP
 * surfaces. Build with {@link #builder}, then {@link #start()}; {@link #close()} shuts down gracefully (running jobs
 * are released, not failed). {@code framegate.yaml} is read once, by the providers' loader; its routes make the
 * providers' {@link Routing} the one router of jobs (without a file every model goes to the offline engine).
 */
public final class FramegateServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FramegateServer.class);

    private final ServerOptions options;
    private final ServerConfig config;
    private final Routing routing;
    private final Database db;
    private final KeyStore keys;
    private final JobService jobs;
    private final ResultStore results;
    private final WorkerPool workers;
    private final RetentionSweeper sweeper;
    private final io.framegate.server.webhooks.Webhooks webhooks;
    private final io.framegate.server.ops.JobMetrics jobMetrics;
    private final Javalin app;
    private final ServerContext context;
    private final io.framegate.server.links.SignedUrls signedUrls;
    private final AdminToken adminToken;
    private final io.framegate.server.tenancy.TenantAdmin tenants;
    private final ModelCatalog catalog;
    private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /** This process's instance nonce: in server.json and at GET /admin/v1/instance, so the CLI knows it reached us. */
    private final String instanceNonce = io.framegate.server.admin.ServerFile.newNonce();
    private String createdDefaultKey;
    private boolean started;
    private boolean closed;

    /** A JSON mapper for the HTTP surfaces: unknown properties are the surfaces' business, dates as ISO strings. */
    public static ObjectMapper newJsonMapper() {
        return JsonMapper.builder().addModule(new JavaTimeModule())
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
    }

    public static Builder builder(ServerOptions options) {
        return new Builder(options);
    }

    /** Configures a server: the local backend, surfaces, output finisher, catalog, clock, environment. */
    public static final class Builder {
        private final ServerOptions options;
        private GenerationBackend local;
        private List<ApiSurface> surfaces;
        private OutputFinisher finisher = OutputFinisher.NONE;
        private ModelCatalog catalog = ModelCatalog.builtIn();
        private Clock clock = Clock.systemUTC();
        private Function<String, String> environment = System::getenv;
        private DiskSpace diskSpace;
        private io.framegate.domain.ImageLimits imageLimits = io.framegate.domain.ImageLimits.DEFAULTS;
        private io.framegate.server.webhooks.WebhookSettings webhookSettings;

        private Builder(ServerOptions options) {
            this.options = Objects.requireNonNull(options);
        }

        /** The backend of {@code default_route: local} (every unrouted model); the offline {@link LocalEngine} unless set. */
        public Builder localBackend(GenerationBackend backend) {
            this.local = Objects.requireNonNull(backend);
            return this;
        }

        /**
         * Same as {@link #localBackend} for {@code name} {@code local}, the only backend a server takes by name: cloud
         * backends come from the routes of {@code framegate.yaml}.
         */
        public Builder backend(String name, GenerationBackend backend) {
            if (!"local".equals(name)) {
                throw new IllegalArgumentException("only the local backend is set by name; cloud backends come from the"
                        + " routes of framegate.yaml, not " + name);
            }
            return localBackend(backend);
        }

        /** Where {@code api_key_env}-style credentials are looked up ({@code System::getenv} by default). */
        public Builder environment(Function<String, String> env) {
            this.environment = Objects.requireNonNull(env);
            return this;
        }

        /** The surfaces to serve; by default every {@link ApiSurface} found with {@link ServiceLoader}. */
        public Builder surfaces(List<ApiSurface> list) {
            this.surfaces = List.copyOf(list);
            return this;
        }

        public Builder finisher(OutputFinisher f) {
            this.finisher = f;
            return this;
        }

        public Builder catalog(ModelCatalog c) {
            this.catalog = c;
            return this;
        }

        public Builder clock(Clock c) {
            this.clock = c;
            return this;
        }

        /** Where the free space of the data directory is read ({@code limits.min_free_disk}); the real disk by default. */
        public Builder diskSpace(DiskSpace d) {
            this.diskSpace = Objects.requireNonNull(d);
            return this;
        }

        /** The caps on request images (count, bytes, pixels, URL fetches); {@code ImageLimits.DEFAULTS} unless set. */
        public Builder imageLimits(io.framegate.domain.ImageLimits limits) {
            this.imageLimits = Objects.requireNonNull(limits);
            return this;
        }

        /** How webhooks are delivered; the defaults (and {@code FRAMEGATE_ALLOW_PRIVATE_WEBHOOKS}) unless set. */
        public Builder webhookSettings(io.framegate.server.webhooks.WebhookSettings s) {
            this.webhookSettings = Objects.requireNonNull(s);
            return this;
        }

        /**
         * Reads the config, opens the database; nothing listens or runs until {@link FramegateServer#start()}.
         *
         * @throws ConfigException {@code framegate.yaml} (or {@code --config}) is wrong; every problem names its field
         */
        public FramegateServer build() throws IOException {
            return new FramegateServer(this);
        }
    }

    private FramegateServer(Builder b) throws IOException {
        this.options = b.options;
        this.catalog = b.catalog;
        Files.createDirectories(options.dataDir());
        this.config = ConfigFile.read(options.dataDir(), options.configFile(), b.catalog, b.environment);
        RequestValidator validator = new RequestValidator(b.catalog);
        GenerationBackend local = LocalDeadline.wrap(b.local != null ? b.local : new LocalEngine(),
                config.limits().localRenderDeadline(), b.clock);
        ObjectMapper json = newJsonMapper();
        ServerConfig.Database d = config.database();
        this.db = d.url() == null ? Database.embedded(options.dataDir(), config.pools())
                : Database.open(d.url(), d.user(), d.password() == null ? null : d.password().reveal(), config.pools());
        Routing routed = null;
        try {
            // request threads (auth, creates, reads) and the job core use separate pools: see Database
            this.keys = new KeyStore(db.requestJdbi());
            this.results = config.storage().isS3() ? new S3ResultStore(config.storage())
                    : new LocalResultStore(options.dataDir().resolve("files"));
            if (config.storage().isS3()) LOG.info("results and inputs in {}", config.storage());
            this.signedUrls = new io.framegate.server.links.SignedUrls(io.framegate.server.links.ServerSecrets
                    .getOrCreate(db.jdbi(), io.framegate.server.links.SignedUrls.SECRET_NAME, b.clock.millis()),
                    io.framegate.server.links.SignedUrls.DEFAULT_TTL, b.clock,
                    b.environment.apply(io.framegate.server.links.SignedUrls.PUBLIC_URL_ENV));
            // built once storage and the signing secret exist: URL-only upstreams get signed links to fitted inputs
            routed = new Routing(config.providers(), local, validator, PreviewMaker.ENGINE, Ticker.SYSTEM, RandomGenerator.getDefault(),
                    io.framegate.server.links.InputLinks.of(results, signedUrls).orElse(null));
            this.routing = routed;
            config.providers().routes().values().forEach(r -> LOG.info("route {} -> {}", r.model(), r.targets().stream()
                    .map(t -> t.channel() + (t.upstreamModel().id().equals(r.model()) ? "" : " as " + t.upstreamModel().id())).toList()));
            LOG.info("every other model -> {}", "local".equals(config.providers().defaultRoute()) ? local.id() + " (offline engine)" : "refused (default_route: none)");
            JobStore store = new JobStore(db.jdbi(), json);
            JobStore requestStore = new JobStore(db.requestJdbi(), json);
            this.jobs = new JobService(requestStore, results, validator, json, b.clock, routing);
            jobs.admitWith(new io.framegate.server.limits.KeyAdmission(db.requestJdbi(), this::modelId,
                    config.limits().maxQueuedJobs(), b.clock));
            this.tenants = new io.framegate.server.tenancy.TenantAdmin(db.jdbi(), this::modelId, b.clock);
            jobs.limitWith(new JobLimits(config.limits(), config.retention(),
                    b.diskSpace != null ? b.diskSpace : DiskSpace.of(options.dataDir())));
            this.workers = new WorkerPool(store, jobs, results, validator, routing, b.finisher,
                    options.dataDir().resolve("work"), workerSettings(options.workers(), config), b.clock);
            workers.outcomes(new JobOutcomes(metrics));
            this.webhooks = new io.framegate.server.webhooks.Webhooks(db.jdbi(), b.webhookSettings != null ? b.webhookSettings
                    : io.framegate.server.webhooks.Webhooks.settingsFrom(b.environment), b.clock, workers.leaseOwner());
            store.outbox(webhooks.outbox());
            requestStore.outbox(webhooks.outbox());
            this.jobMetrics = new io.framegate.server.ops.JobMetrics(metrics, db.jdbi(), json);
            webhooks.outbox().listen(jobMetrics::ended);
            if ("json".equalsIgnoreCase(b.environment.apply(io.framegate.server.ops.JobLog.ENV)) && options.accessLog() != null) {
                webhooks.outbox().listen(new io.framegate.server.ops.JobLog(options.accessLog(), json)::ended);
            }
            this.adminToken = AdminToken.load(options.dataDir(), b.environment);
            this.sweeper = new RetentionSweeper(db.jdbi(), results, json, config.retention(), b.clock,
                    config.storage().isS3() ? null : options.dataDir().resolve("files"), options.dataDir().resolve("work"),
                    options.dataDir().resolve("uploads"));
            sweeper.outbox(webhooks.outbox());
            this.context = new ServerContext(jobs, new Authenticator(keys), b.catalog, validator, json, options,
                    b.imageLimits, signedUrls);
            this.app = createApp(json, b.surfaces != null ? b.surfaces : discoverSurfaces());
        } catch (RuntimeException | IOException e) {
            db.close();
            if (routed != null) routed.close();
            throw e;
        }
    }

    /**
     * The options' worker settings with the slot counts and attempts the config file gives, and a shutdown grace of
     * at least the upstream request timeout (plus a margin), so that shutdown never interrupts an upstream call
     * before the job's checkpoint records its outcome.
     */
    static WorkerSettings workerSettings(WorkerSettings options, ServerConfig config) {
        ServerConfig.Workers fromFile = config.workers();
        WorkerSettings w = options.withSlots(fromFile.local() != null ? fromFile.local() : options.localSlots(),
                fromFile.cloud() != null ? fromFile.cloud() : options.cloudSlots());
        if (fromFile.maxAttempts() != null) w = w.withAttempts(fromFile.maxAttempts(), w.retryBackoff());
        Duration callGrace = config.providers().settings().requestTimeout().plusSeconds(5);
        return w.shutdownGrace().compareTo(callGrace) >= 0 || config.providers().channels().isEmpty() ? w : w.withShutdownGrace(callGrace);
    }

    private static List<ApiSurface> discoverSurfaces() {
        List<ApiSurface> list = new ArrayList<>();
        ServiceLoader.load(ApiSurface.class).forEach(list::add);
        return list;
    }

    private Javalin createApp(ObjectMapper json, List<ApiSurface> surfaces) {
        AccessLog accessLog = new AccessLog(options.accessLog(), json);
        Javalin javalin = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.jsonMapper(new JavalinJackson(json, false));
            cfg.http.maxRequestSize = options.maxUploadBytes();
            cfg.http.disableCompression();
            cfg.jetty.multipartConfig.maxFileSize(options.maxUploadBytes(), io.javalin.config.SizeUnit.BYTES);
            cfg.jetty.multipartConfig.maxTotalRequestSize(options.maxUploadBytes() + 1024 * 1024,
                    io.javalin.config.SizeUnit.BYTES);
            cfg.jetty.multipartConfig.maxInMemoryFileSize(1, io.javalin.config.SizeUnit.MB);
            cfg.jetty.multipartConfig.cacheDirectory(options.dataDir().resolve("uploads").toString());
            cfg.requestLogger.http(accessLog::log);
            cfg.jetty.modifyServer(server -> server.setStopTimeout(5000));
        });
        HttpErrors errors = new HttpErrors(ErrorClassifier.standard());
        javalin.before(errors::assignRequestId);
        javalin.exception(Exception.class, errors::handle);
        // Javalin maps its own HttpResponseException (413 and the like) unless told otherwise
        javalin.exception(io.javalin.http.HttpResponseException.class, errors::handle);
        // unauthenticated on purpose: the CLI checks it before it sends the admin token anywhere
        javalin.get("/admin/v1/instance", ctx -> ctx.json(Map.of("object", "instance", "nonce", instanceNonce)));
        javalin.get("/openapi.json", ctx -> ctx.contentType("application/json")
                .result(io.framegate.server.ops.OpenApiDocument.text()));
        javalin.get("/healthz", ctx -> {
            boolean dbOk;
            try {
                dbOk = db.jdbi().withHandle(h -> h.createQuery("SELECT 1").mapTo(Integer.class).one()) == 1;
            } catch (RuntimeException e) {
                dbOk = false;
            }
            ctx.status(dbOk ? 200 : 503).json(Map.of("status", dbOk ? "ok" : "unavailable",
                    "database", dbOk ? "ok" : "unreachable", "jobs_running", workers.runningCount()));
        });
        new AdminApi(adminToken, context.authenticator(), jobs, metrics).tenants(tenants).webhooks(webhooks.admin())
                .beforeScrape(jobMetrics::refresh).register(javalin);
        new io.framegate.server.console.ConsoleRoutes(config.storage()).register(javalin);
        io.framegate.server.links.InputLinks.register(javalin, signedUrls, results);
        for (ApiSurface s : surfaces) {
            s.register(javalin, context);
            LOG.info("serving the {} surface", s.name());
        }
        return javalin;
    }

    /**
     * Starts the workers (resuming jobs left queued or running) and the HTTP listener. When no API key exists yet, a
     * key named {@code default} is created first, so the server never runs open; see {@link #createdDefaultKey()}.
     */
    public synchronized FramegateServer start() {
        if (started) throw new IllegalStateException("already started");
        started = true;
        try {
            Files.createDirectories(options.dataDir().resolve("uploads"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (keys.count() == 0) {
            createdDefaultKey = keys.create("default").secret();
            LOG.info("no API key existed: created the key 'default' (printed once on standard output; "
                    + "make more with `framegate keys create --name NAME`)");
        }
        workers.start(db.isExclusive());
        sweeper.start();
        webhooks.start();
        app.start(options.host(), options.port());
        // server.json before the "listening" line: whoever waits for that line (a script, the CLI) finds the file
        try {
            io.framegate.server.admin.ServerFile.write(options.dataDir(), options.host(), port(), instanceNonce);
        } catch (IOException e) {
            LOG.warn("cannot write {}: the CLI will not find this server", options.dataDir().resolve(io.framegate.server.admin.ServerFile.FILE), e);
        }
        LOG.info("listening on http://{}:{} (data: {})", options.host(), port(), options.dataDir().toAbsolutePath());
        LOG.info("admin API (/admin/v1, /metrics): token {}", adminToken.file()
                .map(f -> "in " + f.toAbsolutePath() + (adminToken.created() ? " (created now, mode 0600)" : ""))
                .orElse("from " + AdminToken.ENV));
        return this;
    }

    /** The secret of the {@code default} key this start created, if it created one. */
    public Optional<String> createdDefaultKey() {
        return Optional.ofNullable(createdDefaultKey);
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        return ((ServerConnector) app.jettyServer().server().getConnectors()[0]).getLocalPort();
    }

    public KeyStore keys() {
        return keys;
    }

    /** The job database (keys, accounts, jobs, ledger). */
    public Database database() {
        return db;
    }

    public JobService jobs() {
        return jobs;
    }

    public ResultStore results() {
        return results;
    }

    /** Deletes expired results, ended jobs' inputs and orphaned scratch files (also on its own schedule once started). */
    public RetentionSweeper sweeper() {
        return sweeper;
    }

    public ServerContext context() {
        return context;
    }

    /** {@code framegate.yaml} as loaded (credentials inside are {@link io.framegate.provider.Secret}s). */
    public ServerConfig config() {
        return config;
    }

    /** The operator's credential (environment or {@code <data>/admin.token}). */
    public AdminToken adminToken() {
        return adminToken;
    }

    /** A client's model name (a config alias or a catalog name) -> its catalog id, empty when unknown. */
    private Optional<String> modelId(String name) {
        if (name == null) return Optional.empty();
        return catalog.find(routing.resolveAlias(name).orElse(name)).map(io.framegate.domain.ModelSpec::id);
    }

    /** Accounts and keys as the operator manages them (the admin API's rules). */
    public io.framegate.server.tenancy.TenantAdmin tenants() {
        return tenants;
    }

    /** Every registered HTTP route as {@code "METHOD /path"} (Javalin's pattern syntax), for the OpenAPI check. */
    public List<String> routes() {
        return app.unsafeConfig().pvt.internalRouter.allHttpHandlers().stream()
                .map(io.javalin.router.ParsedEndpoint::getEndpoint).filter(e -> e.getMethod().isHttpMethod())
                .map(e -> e.getMethod().name() + " " + e.getPath()).distinct().toList();
    }

    /** Webhook endpoints, the outbox and this instance's deliverer. */
    public io.framegate.server.webhooks.Webhooks webhooks() {
        return webhooks;
    }

    /** The router of every job: the config's routes, everything else to the local backend. */
    public Routing routing() {
        return routing;
    }

    /** Stops accepting requests, lets running jobs stop and releases them for the next start, closes the database. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        if (started) io.framegate.server.admin.ServerFile.remove(options.dataDir());
        try {
            if (started) app.stop();
        } catch (RuntimeException e) {
            LOG.warn("stopping the HTTP listener failed", e);
        }
        sweeper.close();
        webhooks.close();
        workers.close();
        if (results instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("closing the object storage client failed", e);
            }
        }
        db.close();
        routing.close();
        LOG.info("stopped");
    }
}
