package io.framegate.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.framegate.domain.GenerationBackend;
import io.framegate.domain.ModelCatalog;
import io.framegate.provider.ConfigException;
import io.framegate.provider.Routing;
import io.framegate.server.admin.AdminApi;
import io.framegate.server.admin.AdminToken;
import io.framegate.server.auth.KeyStore;
import io.framegate.server.config.ServerConfig;
import io.framegate.server.db.Database;
import io.framegate.server.jobs.JobService;
import io.framegate.server.jobs.OutputFinisher;
import io.framegate.server.jobs.RetentionSweeper;
import io.framegate.server.storage.DiskSpace;
import io.framegate.server.storage.ResultStore;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.Function;

/**
 * The whole server: the parts {@link ServerModules} wires (config, routing, database, key store, job service, worker
 * pool, result store) and the HTTP surfaces on top. Build with {@link #builder}, then {@link #start()};
 * {@link #close()} shuts down gracefully (running jobs are released, not failed). {@code framegate.yaml} is read once, by the providers' loader; its routes make the
 * providers' {@link Routing} the one router of jobs (without a file every model goes to the offline engine).
 */
public final class FramegateServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FramegateServer.class);
    /** How long {@code /healthz} waits for the database before it answers 503 (probes often give up after 1-5 s). */
    static final java.time.Duration HEALTH_BOUND = java.time.Duration.ofSeconds(2);

    private final ServerModules m;
    private final ServerOptions options;
    private final Javalin app;
    /** This process's instance nonce: in server.json and at GET /admin/v1/instance, so the CLI knows it reached us. */
    private final String instanceNonce = io.framegate.server.admin.ServerFile.newNonce();
    private String createdDefaultKey;
    private boolean started;
    private boolean closed;

    /**
     * A JSON mapper for the HTTP surfaces: unknown properties are the surfaces' business, dates as ISO strings, and
     * strings as long as a body may be - a body is capped before it is parsed ({@code --max-upload}), and a base64
     * image is one string of it (the parser's own cap, 20 million characters, refused images the limits allow).
     */
    public static ObjectMapper newJsonMapper() {
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build()).build();
        return JsonMapper.builder(factory).addModule(new JavaTimeModule())
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
    }

    public static Builder builder(ServerOptions options) {
        return new Builder(options);
    }

    /** Configures a server: the local backend, surfaces, output finisher, catalog, clock, environment. */
    public static final class Builder {
        final ServerOptions options;
        GenerationBackend local;
        List<ApiSurface> surfaces;
        OutputFinisher finisher = OutputFinisher.NONE;
        ModelCatalog catalog = ModelCatalog.builtIn();
        Clock clock = Clock.systemUTC();
        Function<String, String> environment = System::getenv;
        DiskSpace diskSpace;
        io.framegate.domain.ImageLimits imageLimits = io.framegate.domain.ImageLimits.DEFAULTS;
        io.framegate.server.webhooks.WebhookSettings webhookSettings;

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

        /**
         * The server's environment ({@code System::getenv} by default): {@code api_key_env}-style credentials and the
         * {@code FRAMEGATE_*} settings (private image URLs and webhooks, public URL, admin token, job log).
         */
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

        /**
         * How webhooks are delivered; unless set, the defaults with {@code FRAMEGATE_ALLOW_PRIVATE_WEBHOOKS} and
         * {@code webhooks.concurrency} of {@code framegate.yaml} (which settings given here replace).
         */
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
        this.m = new ServerModules(b);
        this.options = m.options;
        try {
            this.app = createApp(m.json, b.surfaces != null ? b.surfaces : discoverSurfaces());
        } catch (RuntimeException e) {
            m.db.close();
            m.routing.close();
            throw e;
        }
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
            cfg.jetty.modifyServer(server -> {
                server.setStopTimeout(5000);
                server.setErrorHandler(new JsonErrorPages());
            });
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
        io.framegate.server.ops.DatabaseHealth database = new io.framegate.server.ops.DatabaseHealth(
                () -> m.db.jdbi().withHandle(h -> h.createQuery("SELECT 1").mapTo(Integer.class).one()) == 1,
                HEALTH_BOUND);
        javalin.get("/healthz", ctx -> {
            boolean dbOk = database.reachable();
            ctx.status(dbOk ? 200 : 503).json(Map.of("status", dbOk ? "ok" : "unavailable",
                    "database", dbOk ? "ok" : "unreachable", "jobs_running", m.workers.runningCount()));
        });
        new AdminApi(m.adminToken, m.context.authenticator(), m.jobs, m.metrics).tenants(m.tenants).webhooks(m.webhooks.admin())
                .beforeScrape(m.jobMetrics::refresh).register(javalin);
        new io.framegate.server.console.ConsoleRoutes(m.config.storage()).register(javalin);
        io.framegate.server.links.InputLinks.register(javalin, m.signedUrls, m.results);
        for (ApiSurface s : surfaces) {
            s.register(javalin, m.context);
            LOG.info("serving the {} surface", s.name());
        }
        // Javalin answers HEAD on any GET route with an empty 200 without running the route, so authentication and
        // lookups would be skipped: refused instead (after the surfaces' before-handlers, in their error shapes)
        javalin.before(c -> {
            if (c.method() == io.javalin.http.HandlerType.HEAD) {
                c.header("Allow", "GET");
                throw new io.javalin.http.HttpResponseException(405, "HEAD is not served; send GET");
            }
        });
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
        if (m.keys.count() == 0) {
            createdDefaultKey = m.keys.create("default").secret();
            LOG.info("no API key existed: created the key 'default' (printed once on standard output; "
                    + "make more with `framegate keys create --name NAME`)");
        }
        // an embedded file is this process's alone: a create its previous process died in holds no key any more
        if (m.db.isExclusive()) m.jobs.forgetCreatesInFlight();
        m.workers.start(m.db.isExclusive());
        m.sweeper.start();
        m.webhooks.start();
        app.start(options.host(), options.port());
        // server.json before the "listening" line: whoever waits for that line (a script, the CLI) finds the file
        try {
            io.framegate.server.admin.ServerFile.write(options.dataDir(), options.host(), port(), instanceNonce);
        } catch (IOException e) {
            LOG.warn("cannot write {}: the CLI will not find this server", options.dataDir().resolve(io.framegate.server.admin.ServerFile.FILE), e);
        }
        LOG.info("listening on http://{}:{} (data: {})", options.host(), port(), options.dataDir().toAbsolutePath());
        LOG.info("admin API (/admin/v1, /metrics): token {}", m.adminToken.file()
                .map(f -> "in " + f.toAbsolutePath() + (m.adminToken.created() ? " (created now, mode 0600)" : ""))
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
        return m.keys;
    }

    /** The job database (keys, accounts, jobs, ledger). */
    public Database database() {
        return m.db;
    }

    public JobService jobs() {
        return m.jobs;
    }

    public ResultStore results() {
        return m.results;
    }

    /** Deletes expired results, ended jobs' inputs and orphaned scratch files (also on its own schedule once started). */
    public RetentionSweeper sweeper() {
        return m.sweeper;
    }

    public ServerContext context() {
        return m.context;
    }

    /** {@code framegate.yaml} as loaded (credentials inside are {@link io.framegate.provider.Secret}s). */
    public ServerConfig config() {
        return m.config;
    }

    /** The operator's credential (environment or {@code <data>/admin.token}). */
    public AdminToken adminToken() {
        return m.adminToken;
    }

    /** Accounts and keys as the operator manages them (the admin API's rules). */
    public io.framegate.server.tenancy.TenantAdmin tenants() {
        return m.tenants;
    }

    /** Every registered HTTP route as {@code "METHOD /path"} (Javalin's pattern syntax), for the OpenAPI check. */
    public List<String> routes() {
        return app.unsafeConfig().pvt.internalRouter.allHttpHandlers().stream()
                .map(io.javalin.router.ParsedEndpoint::getEndpoint).filter(e -> e.getMethod().isHttpMethod())
                .map(e -> e.getMethod().name() + " " + e.getPath()).distinct().toList();
    }

    /** Webhook endpoints, the outbox and this instance's deliverer. */
    public io.framegate.server.webhooks.Webhooks webhooks() {
        return m.webhooks;
    }

    /** The router of every job: the config's routes, everything else to the local backend. */
    public Routing routing() {
        return m.routing;
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
        m.sweeper.close();
        m.webhooks.close();
        m.workers.close();
        if (m.results instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("closing the object storage client failed", e);
            }
        }
        m.db.close();
        m.routing.close();
        LOG.info("stopped");
    }
}
