package io.framegate.server.ops;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.framegate.domain.JobStatus;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The job metrics of {@code /metrics} beyond the outcome counters ({@code JobOutcomes}):
 * <ul>
 *   <li>from the database at each scrape, so every instance reports the same totals:
 *       {@code framegate_jobs{state,model,backend}} (jobs per state) and {@code framegate_queue_depth{lane}};</li>
 *   <li>counted by the instance that writes a job's end: {@code framegate_jobs_ended_total{state,model,backend}},
 *       {@code framegate_job_render_seconds} (local renders) and {@code framegate_job_upstream_seconds} (cloud jobs),
 *       histograms of start-to-end time of completed jobs by model and backend, {@code framegate_failovers_total}
 *       (channels given up for another, by model) and {@code framegate_cost_usd_total{model,backend}} (captured cost).</li>
 * </ul>
 */
public final class JobMetrics {
    private static final Logger LOG = LoggerFactory.getLogger(JobMetrics.class);
    private static final TypeReference<Map<String, String>> NOTES = new TypeReference<>() {
    };

    private final MeterRegistry registry;
    private final Jdbi jdbi;
    private final ObjectMapper json;
    private final MultiGauge jobs;
    private final MultiGauge queue;

    public JobMetrics(MeterRegistry registry, Jdbi jdbi, ObjectMapper json) {
        this.registry = registry;
        this.jdbi = jdbi;
        this.json = json;
        this.jobs = MultiGauge.builder("framegate.jobs").description("jobs in the database by state, model and backend")
                .register(registry);
        this.queue = MultiGauge.builder("framegate.queue.depth").description("queued jobs in the database by lane")
                .register(registry);
        refresh();
    }

    /** Reads the database gauges (called before each scrape). */
    public void refresh() {
        try {
            List<MultiGauge.Row<?>> rows = new ArrayList<>();
            jdbi.useHandle(h -> h.createQuery("SELECT status, model, COALESCE(backend, '') AS backend, COUNT(*) AS n FROM jobs "
                            + "GROUP BY status, model, backend")
                    .map((rs, ctx) -> MultiGauge.Row.of(Tags.of("state", rs.getString(1).toLowerCase(Locale.ROOT),
                            "model", rs.getString(2), "backend", rs.getString(3).isEmpty() ? "none" : rs.getString(3)),
                            rs.getLong(4)))
                    .forEach(rows::add));
            jobs.register(rows, true);
            List<MultiGauge.Row<?>> lanes = new ArrayList<>();
            Map<String, Long> depth = new java.util.TreeMap<>(Map.of("local", 0L, "cloud", 0L));
            jdbi.useHandle(h -> h.createQuery("SELECT COALESCE(lane, 'unrouted'), COUNT(*) FROM jobs WHERE status = 'QUEUED' "
                    + "GROUP BY lane").map((rs, ctx) -> Map.entry(rs.getString(1), rs.getLong(2))).forEach(e -> depth.put(e.getKey(), e.getValue())));
            depth.forEach((lane, n) -> lanes.add(MultiGauge.Row.of(Tags.of("lane", lane), n)));
            queue.register(lanes, true);
        } catch (RuntimeException e) {
            LOG.warn("reading the job gauges from the database failed", e); // the scrape still answers the counters
        }
    }

    /** Counts a job's end, in the transaction that writes it (a rolled-back end may be counted; ends are rare and final). */
    public void ended(Handle h, String jobId, JobStatus status) {
        h.createQuery("SELECT model, backend, started_at, completed_at, notes_json FROM jobs WHERE id = :id").bind("id", jobId)
                .map((rs, ctx) -> {
                    String model = rs.getString(1);
                    String backend = rs.getString(2) == null ? "none" : rs.getString(2);
                    Long started = rs.getObject(3, Long.class), completed = rs.getObject(4, Long.class);
                    Map<String, String> notes = notes(rs.getString(5));
                    String state = status.name().toLowerCase(Locale.ROOT);
                    registry.counter("framegate.jobs.ended", "state", state, "model", model, "backend", backend).increment();
                    if (status == JobStatus.COMPLETED && started != null && completed != null && completed >= started) {
                        boolean local = "true".equals(notes.get("local_render"));
                        Timer.builder(local ? "framegate.job.render" : "framegate.job.upstream")
                                .description(local ? "start to end of completed local renders" : "start to end of completed cloud jobs")
                                .tags("model", model, "backend", backend).publishPercentileHistogram()
                                .minimumExpectedValue(Duration.ofMillis(100)).maximumExpectedValue(Duration.ofHours(2))
                                .register(registry).record(Duration.ofMillis(completed - started));
                        String cost = notes.get("cost_usd");
                        if (cost != null) {
                            try {
                                registry.counter("framegate.cost.usd", "model", model, "backend", backend)
                                        .increment(new BigDecimal(cost).doubleValue());
                            } catch (NumberFormatException ignored) {
                                // not a dollar amount: not counted
                            }
                        }
                    }
                    String failover = notes.get("failover");
                    if (failover != null && !failover.isBlank()) {
                        registry.counter("framegate.failovers", "model", model).increment(failover.split("; ").length);
                    }
                    return true;
                }).findOne();
    }

    private Map<String, String> notes(String text) {
        if (text == null || text.isBlank()) return Map.of();
        try {
            return json.readValue(text, NOTES);
        } catch (java.io.IOException e) {
            return Map.of();
        }
    }
}
