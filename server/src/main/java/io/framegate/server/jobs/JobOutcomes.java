package io.framegate.server.jobs;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts how jobs end ({@code framegate_jobs_completed_total}, {@code framegate_jobs_failed_total{error_code}},
 * {@code framegate_jobs_retried_total}) and makes the endings an operator must act on loud: a job that may have been
 * accepted (and billed) upstream without Framegate knowing its handle is logged at WARN.
 */
public final class JobOutcomes {
    /** The upstream may hold (and bill) a job whose handle Framegate never got: the operator reconciles it by hand. */
    public static final String SUBMIT_UNCERTAIN = "upstream_submit_uncertain";
    /**
     * The upstream accepted (and bills) the job, but the server gave up collecting its video: every download attempt
     * crashed or died with its process ({@link WorkerSettings#maxDownloadAttempts()}).
     */
    public static final String DOWNLOAD_ABANDONED = "download_abandoned";
    private static final Logger LOG = LoggerFactory.getLogger(JobOutcomes.class);

    private final MeterRegistry registry;

    public JobOutcomes(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Counters kept in memory only (tests, or a pool without a metrics endpoint). */
    public static JobOutcomes inMemory() {
        return new JobOutcomes(new SimpleMeterRegistry());
    }

    public MeterRegistry registry() {
        return registry;
    }

    void completed() {
        registry.counter("framegate.jobs.completed").increment();
    }

    void failed(Job job, String code) {
        String c = code == null ? "unknown" : code;
        failedCounter(c).increment();
        if (SUBMIT_UNCERTAIN.equals(c)) {
            LOG.warn("job {} (key {}, model {}) ended {}: the upstream may have accepted and billed it; check the "
                            + "provider's console for it (GET /admin/v1/jobs?error_code={} lists every such job)",
                    job.id(), job.ownerKeyId(), job.model(), c, c);
        }
    }

    void retried() {
        registry.counter("framegate.jobs.retried").increment();
    }

    /** The failure counter of one error code (created on first use). */
    public Counter failedCounter(String code) {
        return registry.counter("framegate.jobs.failed", "error_code", code);
    }
}
