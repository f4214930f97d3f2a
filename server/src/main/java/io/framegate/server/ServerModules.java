package io.framegate.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.framegate.domain.GenerationBackend;
import io.framegate.domain.ModelCatalog;
import io.framegate.domain.RequestValidator;
import io.framegate.engine.LocalEngine;
import io.framegate.provider.PreviewMaker;
import io.framegate.provider.Routing;
import io.framegate.provider.Ticker;
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
import io.framegate.server.jobs.RetentionSweeper;
import io.framegate.server.jobs.WorkerPool;
import io.framegate.server.jobs.WorkerSettings;
import io.framegate.server.storage.DiskSpace;
import io.framegate.server.storage.LocalResultStore;
import io.framegate.server.storage.ResultStore;
import io.framegate.server.storage.S3ResultStore;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * The server's parts wired together from a {@link FramegateServer.Builder}: config, database, key store, result store,
 * routing, job service, worker pool, webhooks, retention sweeper and metrics. Building them opens the database and
 * starts nothing; {@link FramegateServer} starts and stops them and serves their routes.
 */
final class ServerModules {
    private static final Logger LOG = LoggerFactory.getLogger(ServerModules.class);

    final ServerOptions options;
    final ServerConfig config;
    final ModelCatalog catalog;
    final ObjectMapper json;
    final Routing routing;
    final Database db;
    final KeyStore keys;
    final JobService jobs;
    final ResultStore results;
    final WorkerPool workers;
    final RetentionSweeper sweeper;
    final io.framegate.server.webhooks.Webhooks webhooks;
    final io.framegate.server.ops.JobMetrics jobMetrics;
    final ServerContext context;
    final io.framegate.server.links.SignedUrls signedUrls;
    final AdminToken adminToken;
    final io.framegate.server.tenancy.TenantAdmin tenants;
    final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    /**
     * Reads the config and opens the database; on a failure the database and routing opened so far are closed.
     *
     * @throws io.framegate.provider.ConfigException {@code framegate.yaml} is wrong; every problem names its field
     */
    ServerModules(FramegateServer.Builder b) throws IOException {
        this.options = b.options;
        this.catalog = b.catalog;
        // the config first: a wrong one starts nothing and leaves no empty data directory behind
        this.config = ConfigFile.read(options.dataDir(), options.configFile(), b.catalog, b.environment);
        Files.createDirectories(options.dataDir());
        RequestValidator validator = new RequestValidator(b.catalog);
        GenerationBackend local = LocalDeadline.wrap(b.local != null ? b.local : new LocalEngine(),
                config.limits().localRenderDeadline(), b.clock);
        this.json = FramegateServer.newJsonMapper();
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
                    : io.framegate.server.webhooks.Webhooks.settingsFrom(b.environment)
                            .withConcurrency(config.webhooks().concurrency()), b.clock, workers.leaseOwner());
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
                    b.imageLimits, signedUrls, io.framegate.server.intake.ImageFetcher.allowPrivateFrom(b.environment));
        } catch (RuntimeException | IOException e) {
            db.close();
            if (routed != null) routed.close();
            throw e;
        }
    }

    /**
     * The options' worker settings with the slot counts and attempts (submit, download, failed polls) the config file gives,
     * and a shutdown grace of at least the upstream request timeout (plus a margin), so that shutdown never interrupts
     * an upstream call before the job's checkpoint records its outcome.
     */
    static WorkerSettings workerSettings(WorkerSettings options, ServerConfig config) {
        ServerConfig.Workers fromFile = config.workers();
        WorkerSettings w = options.withSlots(fromFile.local() != null ? fromFile.local() : options.localSlots(),
                fromFile.cloud() != null ? fromFile.cloud() : options.cloudSlots());
        if (fromFile.maxAttempts() != null) w = w.withAttempts(fromFile.maxAttempts(), w.retryBackoff());
        if (fromFile.maxDownloadAttempts() != null) w = w.withDownloadAttempts(fromFile.maxDownloadAttempts());
        if (fromFile.maxInternalPollFailures() != null) w = w.withInternalPollFailures(fromFile.maxInternalPollFailures());
        Duration callGrace = config.providers().settings().requestTimeout().plusSeconds(5);
        return w.shutdownGrace().compareTo(callGrace) >= 0 || config.providers().channels().isEmpty() ? w : w.withShutdownGrace(callGrace);
    }

    /** A client's model name (a config alias or a catalog name) -> its catalog id, empty when unknown. */
    Optional<String> modelId(String name) {
        if (name == null) return Optional.empty();
        return catalog.find(routing.resolveAlias(name).orElse(name)).map(io.framegate.domain.ModelSpec::id);
    }
}
