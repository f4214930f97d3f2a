package io.framegate.server.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.framegate.domain.JobStatus;
import org.jdbi.v3.core.Handle;

import java.io.PrintStream;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;

/**
 * The job log as JSON lines ({@code FRAMEGATE_JOB_LOG=json}), on the access log's stream: one line per job end, e.g.
 * {@code {"ts", "log": "job", "event": "video.completed", "job_id", "key_id", "model", "backend", "local_render",
 * "duration_ms", "cost_usd", "error_code", "fidelity_honoured"}}. Ids only: no key secret, prompt, upstream body or
 * error message (those may hold what a client sent).
 */
public final class JobLog {
    public static final String ENV = "FRAMEGATE_JOB_LOG";

    private final PrintStream out;
    private final ObjectMapper json;

    public JobLog(PrintStream out, ObjectMapper json) {
        this.out = out;
        this.json = json;
    }

    /** Writes the line of a job's end (in its transaction; a rolled-back end may be logged, marked by nothing else). */
    public void ended(Handle h, String jobId, JobStatus status) {
        h.createQuery("SELECT owner_key_id, model, backend, started_at, completed_at, error_code, notes_json FROM jobs "
                + "WHERE id = :id").bind("id", jobId).map((rs, ctx) -> {
                    ObjectNode line = json.createObjectNode();
                    line.put("ts", Instant.now().toString());
                    line.put("log", "job");
                    line.put("event", "video." + status.name().toLowerCase(Locale.ROOT));
                    line.put("job_id", jobId);
                    line.put("key_id", rs.getString(1));
                    line.put("model", rs.getString(2));
                    line.put("backend", rs.getString(3));
                    Long started = rs.getObject(4, Long.class), completed = rs.getObject(5, Long.class);
                    if (started != null && completed != null) line.put("duration_ms", completed - started);
                    line.put("error_code", rs.getString(6));
                    Map<String, String> notes = readNotes(rs.getString(7));
                    line.put("local_render", "true".equals(notes.get("local_render")));
                    if (notes.containsKey("cost_usd")) line.put("cost_usd", notes.get("cost_usd"));
                    String fidelity = notes.get("fidelity");
                    if (fidelity != null) line.put("fidelity_honoured", fidelity.contains("\"honoured\":true"));
                    synchronized (out) {
                        out.println(line);
                        out.flush();
                    }
                    return true;
                }).findOne();
    }

    private Map<String, String> readNotes(String text) {
        if (text == null || text.isBlank()) return Map.of();
        try {
            return json.readValue(text, new com.fasterxml.jackson.core.type.TypeReference<Map<String, String>>() {
            });
        } catch (java.io.IOException e) {
            return Map.of();
        }
    }
}
