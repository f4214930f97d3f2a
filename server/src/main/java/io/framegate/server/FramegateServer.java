package io.framegate.server;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.framegate.domain.BackendRouter;
import io.framegate.domain.GenerationBackend;
import io.framegate.domain.ModelCatalog;
import io.framegate.domain.RequestValidator;
import io.framegate.engine.LocalEngine;
import io.framegate.server.auth.Authenticator;
import io.framegate.server.auth.KeyStore;
import io.framegate.server.config.ConfigBackendRouter;
import io.framegate.server.config.ServerConfig;
import io.framegate.server.db.Database;
import io.framegate.server.jobs.JobService;
import io.framegate.server.jobs.JobStore;
import io.framegate.server.jobs.OutputFinisher;
import io.framegate.server.jobs.WorkerPool;
import io.framegate.server.jobs.WorkerSettings;
import io.framegate.server.storage.LocalResultStore;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.Function;

/**
 * The whole server: database, key store, job service, worker pool, result store and the HTTP surfaces. Build with
 * {@link #builder}, then {@link #start()}; {@link #close()} shuts down gracefully (running jobs are released, not
 * failed).
 */
public final class FramegateServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FramegateServer.class);

    private final ServerOptions options;
    private final ServerConfig config;
    private final Database db;
    private final KeyStore keys;
    private final JobService jobs;
    private final ResultStore results;
    private final WorkerPool workers;
    private final Javalin app;
    private final ServerContext context;
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

    /** Configures a server; backends by name (the config's routes refer to them), surfaces, output finisher. */
    public static final class Builder {
        private final ServerOptions options;
        private final Map<String, GenerationBackend> backends = new LinkedHashMap<>();
        private List<ApiSurface> surfaces;
        private OutputFinisher finisher = OutputFinisher.NONE;
        private ModelCatalog catalog = ModelCatalog.builtIn();
        private Function<ServerConfig, BackendRouter> routerFactory;
        private Clock clock = Clock.systemUTC();

        private Builder(ServerOptions options) {
            this.options = Objects.requireNonNull(options);
        }

        /** A backend the routes can name; {@code local} is the offline {@link LocalEngine} unless set here. */
        public Builder backend(String name, GenerationBackend backend) {
            backends.put(name, backend);
            return this;
        }

        /** Replaces the config-file router (e.g. with the providers module's router). */
        public Builder router(Function<ServerConfig, BackendRouter> factory) {
            this.routerFactory = factory;
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

        /** Opens the database and checks the config; nothing listens or runs until {@link FramegateServer#start()}. */
        public FramegateServer build() throws IOException {
            return new FramegateServer(this);
        }
    }

    private FramegateServer(Builder b) throws IOException {
        this.options = b.options;
        Files.createDirectories(options.dataDir());
        this.config = ServerConfig.load(options.effectiveConfigFile());
        Map<String, GenerationBackend> backends = new LinkedHashMap<>(b.backends);
        backends.computeIfAbsent(ServerConfig.LOCAL_BACKEND, k -> new LocalEngine());
        BackendRouter router = b.routerFactory != null ? b.routerFactory.apply(config)
                : new ConfigBackendRouter(config.routes(), backends, b.catalog);
        ObjectMapper json = newJsonMapper();
        this.db = config.databaseUrl() == null ? Database.embedded(options.dataDir())
                : Database.open(config.databaseUrl(), config.databaseUser(), config.databasePassword());
        try {
            this.keys = new KeyStore(db.jdbi());
            this.results = new LocalResultStore(options.dataDir().resolve("files"));
            JobStore store = new JobStore(db.jdbi(), json);
            RequestValidator validator = new RequestValidator(b.catalog);
            this.jobs = new JobService(store, results, validator, json, b.clock);
            jobs.routeWith(router);
            WorkerSettings ws = options.workers().withSlots(config.localWorkers(), config.cloudWorkers());
            this.workers = new WorkerPool(store, jobs, results, validator, router, b.finisher,
                    options.dataDir().resolve("work"), ws, b.clock);
            this.context = new ServerContext(jobs, new Authenticator(keys), b.catalog, validator, json, options);
            this.app = createApp(json, b.surfaces != null ? b.surfaces : discoverSurfaces());
        } catch (RuntimeException e) {
            db.close();
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
            cfg.jetty.modifyServer(server -> server.setStopTimeout(5000));
        });
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
        app.start(options.host(), options.port());
        LOG.info("listening on http://{}:{} (data: {})", options.host(), port(), options.dataDir().toAbsolutePath());
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

    public JobService jobs() {
        return jobs;
    }

    public ResultStore results() {
        return results;
    }

    public ServerContext context() {
        return context;
    }

    public ServerConfig config() {
        return config;
    }

    /** Stops accepting requests, lets running jobs stop and releases them for the next start, closes the database. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            if (started) app.stop();
        } catch (RuntimeException e) {
            LOG.warn("stopping the HTTP listener failed", e);
        }
        workers.close();
        db.close();
        LOG.info("stopped");
    }
}
