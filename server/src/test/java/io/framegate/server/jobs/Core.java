package io.framegate.server.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.framegate.domain.BackendRouter;
import io.framegate.domain.GenerationBackend;
import io.framegate.domain.ModelCatalog;
import io.framegate.domain.RequestValidator;
import io.framegate.server.FramegateServer;
import io.framegate.server.db.Database;
import io.framegate.server.media.MediaFinisher;
import io.framegate.server.storage.LocalResultStore;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/** The job core on a real embedded database in a directory, without HTTP. */
final class Core implements AutoCloseable {
    final Database db;
    final JobStore store;
    final LocalResultStore results;
    final JobService jobs;
    final RequestValidator validator = new RequestValidator(ModelCatalog.builtIn());
    final Path dir;

    Core(Path dir) {
        this(dir, Database.embedded(dir));
    }

    Core(Path dir, Database db) {
        this.dir = dir;
        this.db = db;
        ObjectMapper json = FramegateServer.newJsonMapper();
        this.store = new JobStore(db.jdbi(), json);
        this.results = new LocalResultStore(dir.resolve("files"));
        this.jobs = new JobService(store, results, validator, json, Clock.systemUTC());
    }

    WorkerPool pool(GenerationBackend backend, WorkerSettings settings) {
        return pool(m -> backend, settings);
    }

    WorkerPool pool(BackendRouter router, WorkerSettings settings) {
        return pool(router, settings, Clock.systemUTC());
    }

    WorkerPool pool(BackendRouter router, WorkerSettings settings, Clock clock) {
        return new WorkerPool(store, jobs, results, validator, router, new MediaFinisher(), dir.resolve("work"),
                settings, clock);
    }

    static WorkerSettings fast() {
        return new WorkerSettings(1, 4, Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofSeconds(5));
    }

    @Override
    public void close() {
        db.close();
    }
}
