package io.framegate.server.jobs;

import io.framegate.domain.GenerationContext;
import io.framegate.domain.OutputFiles;
import io.framegate.domain.ProgressListener;
import io.framegate.provider.Checkpoint;
import io.framegate.provider.FailoverBackend;
import io.framegate.provider.Routing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;

/**
 * A job deleted while it waited on its upstream: nobody runs it, so the upstream job is asked to stop here, best
 * effort and off the request's thread (one short call, as when a running job is deleted).
 */
final class UpstreamCancel {
    private static final Logger LOG = LoggerFactory.getLogger(UpstreamCancel.class);

    private UpstreamCancel() {
    }

    static void afterDelete(Routing routing, JobStore.Row row) {
        Checkpoint cp = row.checkpoint() == null ? null : Checkpoint.parse(row.checkpoint());
        if (routing == null || cp == null || cp.phase() != Checkpoint.Phase.SUBMITTED) return;
        Optional<FailoverBackend> route = routing.route(row.job().model());
        if (route.isEmpty()) return;
        String id = row.job().id();
        Thread.ofVirtual().name("framegate-cancel-" + id).start(() -> {
            try {
                route.get().cancelUpstream(cp, new Gone(id), "deleted by the client");
            } catch (RuntimeException e) {
                LOG.warn("job {}: cancelling upstream job {} after its deletion failed", id, cp.handle(), e);
            }
        });
    }

    /** The context of a deleted job: what the cancel notes is logged, nothing is stored. */
    private record Gone(String jobId) implements GenerationContext {
        @Override
        public OutputFiles output(int index) {
            throw new IllegalStateException("job " + jobId + " is deleted");
        }

        @Override
        public ProgressListener progress() {
            return ProgressListener.NONE;
        }

        @Override
        public Optional<String> checkpoint() {
            return Optional.empty();
        }

        @Override
        public void saveCheckpoint(String state) {
            throw new IllegalStateException("job " + jobId + " is deleted");
        }

        @Override
        public void note(String key, String value) {
            LOG.info("job {} (deleted): {} {}", jobId, key, value);
        }

        @Override
        public boolean isCancelled() {
            return true;
        }
    }
}
