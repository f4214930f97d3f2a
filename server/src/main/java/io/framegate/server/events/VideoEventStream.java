package io.framegate.server.events;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.framegate.domain.JobStatus;
import io.framegate.server.jobs.Job;
import io.framegate.server.jobs.JobService;
import io.framegate.server.jobs.NoSuchJobException;
import io.javalin.http.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.function.BiFunction;

/**
 * {@code GET /v1/videos/{id}/events}: a job's life as Server-Sent Events, read from the job database (so any instance
 * serves any job's stream). Events, each with the whole video object as {@code data}:
 * <ul>
 *   <li>{@code video.queued}, {@code video.in_progress}: the status changed (also sent first, for the state at
 *       connection);</li>
 *   <li>{@code video.progress}: the percentage moved;</li>
 *   <li>{@code video.completed}, {@code video.failed}, {@code video.cancelled}: the end; the stream then closes.</li>
 * </ul>
 * Event ids only grow over a job's life ({@code 1000 x stage + progress}: queued 1000, in progress 2000-2099, final
 * 3000), so {@code Last-Event-ID} resumes exactly: only events after it are sent, and a stream resumed after its end
 * event closes at once. A comment line ({@code : keep-alive}) goes out when nothing else has for the keep-alive
 * interval, so proxies keep the connection and a gone client is noticed. Each open stream holds one server thread
 * while the job runs; at most {@link #MAX_STREAMS} are open at once per instance ({@code 429} beyond).
 */
public final class VideoEventStream {
    public static final int MAX_STREAMS = 128;
    static final int FINAL_ID = 3000;
    private static final Logger LOG = LoggerFactory.getLogger(VideoEventStream.class);

    private final JobService jobs;
    private final BiFunction<Context, Job, ObjectNode> videoJson;
    private final Duration poll;
    private final Duration keepAlive;
    private final Semaphore open = new Semaphore(MAX_STREAMS);

    /**
     * @param videoJson the surface's video object of a job, as a GET of it in this request would show it (with its
     *                  signed {@code video_url} once completed, which needs the request's origin)
     * @param poll      how often the job row is read
     * @param keepAlive longest silence before a keep-alive comment
     */
    public VideoEventStream(JobService jobs, BiFunction<Context, Job, ObjectNode> videoJson, Duration poll, Duration keepAlive) {
        this.jobs = jobs;
        this.videoJson = videoJson;
        this.poll = poll;
        this.keepAlive = keepAlive;
    }

    /** The event id of a job's state (grows over its life). */
    static int eventId(Job job) {
        if (job.status().isFinal()) return FINAL_ID;
        return job.status() == JobStatus.QUEUED ? 1000 : 2000 + Math.min(99, Math.max(0, job.progress()));
    }

    static String eventName(Job job, Job previous) {
        return switch (job.status()) {
            case QUEUED -> "video.queued";
            case IN_PROGRESS -> previous != null && previous.status() == JobStatus.IN_PROGRESS ? "video.progress" : "video.in_progress";
            case COMPLETED -> "video.completed";
            case FAILED -> "video.failed";
            case CANCELLED -> "video.cancelled";
        };
    }

    /**
     * Streams the events of job {@code id} of key {@code keyId}.
     *
     * @throws NoSuchJobException  before anything is sent, when the key has no such job (the surface answers 404)
     * @throws TooManyStreamsException before anything is sent, when this instance has {@link #MAX_STREAMS} open
     */
    public void stream(Context c, String keyId, String id) throws IOException {
        Job job = jobs.get(keyId, id).orElseThrow(() -> new NoSuchJobException(id));
        int lastSent = lastEventId(c.header("Last-Event-ID"));
        if (!open.tryAcquire()) throw new TooManyStreamsException();
        try {
            c.status(200);
            c.res().setContentType("text/event-stream");
            c.res().setCharacterEncoding("UTF-8");
            c.res().setHeader("Cache-Control", "no-cache");
            c.res().setHeader("X-Accel-Buffering", "no"); // nginx: pass events on at once
            OutputStream out = c.res().getOutputStream();
            write(out, "retry: 1000\n\n");
            Job previous = null;
            long quietSince = System.nanoTime();
            while (true) {
                int eid = eventId(job);
                if (eid > lastSent) {
                    write(out, "id: " + eid + "\nevent: " + eventName(job, previous) + "\ndata: "
                            + videoJson.apply(c, job).toString() + "\n\n");
                    lastSent = eid;
                    quietSince = System.nanoTime();
                }
                if (lastSent >= FINAL_ID) return;
                if (System.nanoTime() - quietSince >= keepAlive.toNanos()) {
                    write(out, ": keep-alive\n\n");
                    quietSince = System.nanoTime();
                }
                Thread.sleep(poll.toMillis());
                previous = job;
                Optional<Job> now = jobs.get(keyId, id);
                if (now.isEmpty()) return; // deleted: nothing more will happen
                job = now.get();
            }
        } catch (IOException e) {
            LOG.debug("event stream of {} ended: the client went away", id);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            open.release();
        }
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** The client's {@code Last-Event-ID}; 0 (send everything) when absent or not one of ours. */
    static int lastEventId(String header) {
        if (header == null) return 0;
        try {
            return Math.max(0, Integer.parseInt(header.strip()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** This instance already streams {@link #MAX_STREAMS} jobs. */
    public static final class TooManyStreamsException extends RuntimeException
            implements io.framegate.server.ClientFacingException {
        TooManyStreamsException() {
            super("Too many event streams are open on this server (" + MAX_STREAMS + "); poll GET /v1/videos/{id} "
                    + "or retry shortly.");
        }

        @Override
        public int httpStatus() {
            return 429;
        }

        @Override
        public String code() {
            return "too_many_streams";
        }
    }
}
