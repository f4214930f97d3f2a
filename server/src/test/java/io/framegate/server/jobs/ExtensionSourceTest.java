package io.framegate.server.jobs;

import io.framegate.domain.JobStatus;
import io.framegate.server.FramegateServer;
import io.framegate.server.TinyVideoBackend;
import io.framegate.server.config.LimitsConfig;
import io.framegate.server.storage.LocalResultStore;
import io.framegate.server.storage.StoredObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An extension's source video is copied as a stream, never read whole into the heap (review H3): at create (the job's
 * own copy) and in the worker (the scratch copy the finisher stitches after). Its size counts in the disk-space check.
 */
class ExtensionSourceTest {
    @TempDir
    Path dir;

    /** The local store, except that reading a video whole, or storing one from a byte array, is an error. */
    private static final class StreamsOnly extends ForwardingResultStore {
        StreamsOnly(LocalResultStore inner) {
            super(inner);
        }

        @Override
        public void put(String jobId, String name, byte[] bytes) throws IOException {
            if (name.endsWith(".mp4")) throw new AssertionError("a video stored from a byte array: " + name);
            inner.put(jobId, name, bytes);
        }

        @Override
        public Optional<StoredObject> open(String jobId, String name) throws IOException {
            return inner.open(jobId, name).map(o -> new StoredObject() {
                @Override
                public long size() {
                    return o.size();
                }

                @Override
                public InputStream openRange(long offset, long length) throws IOException {
                    return o.openRange(offset, length);
                }

                @Override
                public byte[] readAllBytes() throws IOException {
                    if (name.endsWith(".mp4")) throw new AssertionError("a video read whole into the heap: " + name);
                    return o.readAllBytes();
                }
            });
        }
    }

    @Test
    void theSourceVideoIsStreamedAtCreateAndInTheWorkerAndCountsInTheDiskCheck() throws Exception {
        byte[] sourceVideo = new byte[3 * 1024 * 1024];
        new Random(7).nextBytes(sourceVideo);
        AtomicReference<byte[]> stitchedAfter = new AtomicReference<>();
        OutputFinisher recording = (job, plan, outputs, extensionSource, workDir) -> {
            if (extensionSource != null) stitchedAfter.set(Files.readAllBytes(extensionSource));
        };
        try (Core core = new Core(dir)) {
            StreamsOnly store = new StreamsOnly(core.results);
            JobService jobs = new JobService(core.store, store, core.validator, FramegateServer.newJsonMapper(), Clock.systemUTC());
            AtomicLong free = new AtomicLong(Long.MAX_VALUE);
            jobs.limitWith(new JobLimits(new LimitsConfig(Long.MAX_VALUE, Integer.MAX_VALUE, null, 1_000_000), null, free::get));
            String source = jobs.submit("key_a", "openai", WorkerPoolTest.request(3), null).id();
            core.results.put(source, ContentVariant.VIDEO.storedName(0), sourceVideo);
            core.db.jdbi().useHandle(h -> h.createUpdate("UPDATE jobs SET status = 'COMPLETED', progress = 100, "
                    + "completed_at = :now WHERE id = :id").bind("now", System.currentTimeMillis()).bind("id", source).execute());
            Submission extension = Submission.of("key_a", "openai", WorkerPoolTest.request(3), null).extensionOf(source);

            // 2 MB above the threshold: a plain job fits, an extension bringing a 3 MB copy of its source does not
            free.set(3_000_000);
            assertThat(jobs.submit("key_a", "openai", WorkerPoolTest.request(3), null).status()).isEqualTo(JobStatus.QUEUED);
            assertThatThrownBy(() -> jobs.submit(extension)).isInstanceOf(InsufficientStorageException.class);
            free.set(Long.MAX_VALUE);

            Job ext = jobs.submit(extension);
            assertThat(store.open(ext.id(), JobService.EXTENSION_SOURCE).orElseThrow().size()).isEqualTo(sourceVideo.length);

            try (WorkerPool pool = new WorkerPool(core.store, jobs, store, core.validator, m -> new TinyVideoBackend("local", true, 0),
                    recording, dir.resolve("work"), Core.fast(), Clock.systemUTC())) {
                pool.start(true);
                Job done = WorkerPoolTest.await(core, ext.id(), j -> j.status().isFinal());
                assertThat(done.status()).as(String.valueOf(done.errorMessage())).isEqualTo(JobStatus.COMPLETED);
            }
            assertThat(stitchedAfter.get()).isEqualTo(sourceVideo);
        }
        assertThat(ExtensionFrame.MAX_SOURCE_BYTES).as("fits a Java array with room to spare").isEqualTo(512L * 1024 * 1024);
    }
}
