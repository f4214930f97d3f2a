package io.framegate.server.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.framegate.server.FramegateServer;
import io.framegate.server.ServerOptions;
import io.framegate.server.TestImages;
import io.framegate.server.TinyVideoBackend;
import io.framegate.server.jobs.WorkerSettings;
import io.framegate.server.media.MediaFinisher;
import io.framegate.server.openai.OpenAiSurface;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code GET /v1/videos/{id}/events} read by a real streaming client (java.net.http, line by line) through whole jobs. */
class VideoEventsTest {
    static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path dir;
    FramegateServer server;
    TinyVideoBackend backend;
    String key, otherKey, base;

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    void start(long millisPerFrame) throws Exception {
        start(millisPerFrame, Duration.ofMillis(30), Duration.ofMillis(300));
    }

    /** @param poll, keepAlive the event stream's timings; both null: the surface's own (as {@code framegate serve} has them) */
    void start(long millisPerFrame, Duration poll, Duration keepAlive) throws Exception {
        server = serve(dir, backend = new TinyVideoBackend("local", true, millisPerFrame), Duration.ofMillis(100), poll, keepAlive);
        key = server.keys().create("a").secret();
        otherKey = server.keys().create("b").secret();
        base = "http://127.0.0.1:" + server.port();
    }

    /**
     * A started server on {@code data} with the OpenAI surface and {@code local} as its one local slot.
     *
     * @param workerPoll how often its workers look for queued jobs nobody told them about (jobs created on another
     *                   instance)
     */
    static FramegateServer serve(Path data, TinyVideoBackend local, Duration workerPoll, Duration poll, Duration keepAlive)
            throws Exception {
        ServerOptions o = ServerOptions.defaults(data).withHost("127.0.0.1").withPort(0).withAccessLog(null)
                .withWorkers(new WorkerSettings(1, 2, Duration.ofSeconds(30), workerPoll, Duration.ofSeconds(5)));
        OpenAiSurface surface = new OpenAiSurface(true);
        if (poll != null || keepAlive != null) surface.eventTimings(poll, keepAlive);
        return FramegateServer.builder(o).surfaces(List.of(surface)).localBackend(local).finisher(new MediaFinisher())
                .build().start();
    }

    String create(int seconds) throws Exception {
        String body = "{\"model\":\"framegate-local\",\"size\":\"160x96\",\"seconds\":\"" + seconds + "\",\"input_reference\":"
                + "{\"image_url\":\"data:image/png;base64," + Base64.getEncoder().encodeToString(TestImages.png(160, 96, Color.RED)) + "\"}}";
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/v1/videos"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).path("id").asText();
    }

    /** Cancels a job of {@link #key} over HTTP; the status of the answer. */
    int cancel(String id) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/v1/videos/" + id + "/cancel"))
                .header("Authorization", "Bearer " + key).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    record Event(String id, String name, JsonNode data) {
    }

    /** The stream's events (and comment lines) as a client reads them, until the server closes it. */
    record Stream_(int status, String contentType, List<Event> events, List<String> comments, List<String> lines,
                   java.net.http.HttpHeaders headers) {
    }

    Stream_ read(String id, String bearer, String lastEventId) throws Exception {
        return read(id, bearer, lastEventId, line -> { });
    }

    /** As {@link #read(String, String, String)}, calling {@code onLine} with each line as it arrives. */
    Stream_ read(String id, String bearer, String lastEventId, java.util.function.Consumer<String> onLine) throws Exception {
        return read(base, id, bearer, lastEventId, onLine);
    }

    /** As {@link #read(String, String, String, java.util.function.Consumer)}, from the server at {@code from}. */
    Stream_ read(String from, String id, String bearer, String lastEventId, java.util.function.Consumer<String> onLine)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(from + "/v1/videos/" + id + "/events"))
                .header("Authorization", "Bearer " + bearer).header("Accept", "text/event-stream")
                .timeout(Duration.ofSeconds(90));
        if (lastEventId != null) b.header("Last-Event-ID", lastEventId);
        HttpResponse<Stream<String>> r = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofLines());
        List<Event> events = new ArrayList<>();
        List<String> comments = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        String eid = null, name = null;
        StringBuilder data = new StringBuilder();
        for (Iterator<String> it = r.body().iterator(); it.hasNext(); ) {
            String line = it.next();
            lines.add(line);
            onLine.accept(line);
            if (line.isEmpty()) {
                if (name != null) events.add(new Event(eid, name, JSON.readTree(data.toString())));
                eid = null;
                name = null;
                data.setLength(0);
            } else if (line.startsWith(":")) {
                comments.add(line);
            } else if (line.startsWith("id: ")) {
                eid = line.substring(4);
            } else if (line.startsWith("event: ")) {
                name = line.substring(7);
            } else if (line.startsWith("data: ")) {
                data.append(line.substring(6));
            }
        }
        return new Stream_(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), events, comments, lines,
                r.headers());
    }

    @Test
    void aWholeJobStreamsStatusProgressAndTheFinalVideoThenResumesAfterTheLastEventId() throws Exception {
        start(60);
        String id = create(2); // 48 frames at 60 ms: about three seconds of progress
        Stream_ s = read(id, key, null);
        assertThat(s.status()).isEqualTo(200);
        assertThat(s.contentType()).startsWith("text/event-stream");
        List<String> names = s.events().stream().map(Event::name).toList();
        assertThat(names.getFirst()).isIn("video.queued", "video.in_progress");
        assertThat(names).contains("video.progress");
        assertThat(names.getLast()).isEqualTo("video.completed");
        assertThat(names.stream().filter(n -> n.equals("video.completed"))).hasSize(1);
        List<Integer> ids = s.events().stream().map(e -> Integer.parseInt(e.id())).toList();
        assertThat(ids).isSorted().doesNotHaveDuplicates();
        List<Integer> progress = s.events().stream().map(e -> e.data().path("progress").asInt()).toList();
        assertThat(progress).isSorted();
        JsonNode last = s.events().getLast().data();
        assertThat(last.path("id").asText()).isEqualTo(id);
        assertThat(last.path("object").asText()).isEqualTo("video");
        assertThat(last.path("status").asText()).isEqualTo("completed");
        assertThat(last.path("progress").asInt()).isEqualTo(100);
        // the end event's video object is the one GET /v1/videos/{id} gives: with its signed link, so a client needs no GET
        assertThat(last.path("video_url").asText()).startsWith(base + "/v1/videos/" + id + "/content/signed?");
        s.events().forEach(e -> assertThat(e.data().path("id").asText()).isEqualTo(id));
        // docs/events.md: each event's data is the whole video object, framegate field and preview links included,
        // as GET /v1/videos/{id} gives it (the links compared without their expiry, which a 10-minute step may move)
        assertThat(last.path("framegate").isObject()).as(last.toString()).isTrue();
        assertThat(last.at("/framegate/thumbnail_url").asText()).contains("/content/signed?variant=thumbnail&");
        assertThat(last.at("/framegate/spritesheet_url").asText()).contains("/content/signed?variant=spritesheet&");
        JsonNode retrieved = JSON.readTree(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base
                + "/v1/videos/" + id)).header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString()).body());
        assertThat(withoutLinkExpiries(last)).isEqualTo(withoutLinkExpiries(retrieved));

        // resuming after a progress event gives only what came after it; after the end event, nothing
        Event middle = s.events().get(s.events().size() / 2);
        Stream_ resumed = read(id, key, middle.id());
        assertThat(resumed.events()).extracting(Event::name).containsExactly("video.completed");
        assertThat(read(id, key, s.events().getLast().id()).events()).isEmpty();
    }

    /** A copy of a video object whose signed links keep their path and variant but lose expiry and signature. */
    static JsonNode withoutLinkExpiries(JsonNode video) {
        com.fasterxml.jackson.databind.node.ObjectNode copy = video.deepCopy();
        copy.put("video_url", video.path("video_url").asText().replaceAll("&expires=.*", ""));
        com.fasterxml.jackson.databind.node.ObjectNode fg = (com.fasterxml.jackson.databind.node.ObjectNode) copy.path("framegate");
        for (String link : List.of("thumbnail_url", "spritesheet_url")) fg.put(link, fg.path(link).asText().replaceAll("&expires=.*", ""));
        return copy;
    }

    @Test
    void anotherKeyGetsA404AndASilentJobGetsKeepAliveComments() throws Exception {
        start(400); // 24 frames at 400 ms: long enough for a few keep-alive intervals of 300 ms between events
        String id = create(1);
        HttpResponse<String> other = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(base + "/v1/videos/" + id + "/events")).header("Authorization", "Bearer " + otherKey).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(other.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(other.body()).at("/error/code").asText()).isEqualTo("video_not_found");
        HttpResponse<String> none = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(base + "/v1/videos/" + id + "/events")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(none.statusCode()).isEqualTo(401);

        Stream_ s = read(id, key, null);
        assertThat(s.events().getLast().name()).isEqualTo("video.completed");
        assertThat(s.comments()).contains(": keep-alive");
    }

    /**
     * docs/events.md: the stream starts with {@code retry: 1000} (the reconnect delay a client uses), sends
     * {@code X-Accel-Buffering: no} for nginx, keeps a silent stream open with {@code : keep-alive} comments (the
     * interval configured small here), and ends with {@code video.cancelled} (id 3000) when the client cancels the job.
     */
    @Test
    void aQueuedJobsStreamStartsWithRetryKeepsAliveAndEndsWithVideoCancelled() throws Exception {
        start(400);
        String running = create(2); // 48 frames at 400 ms: holds the one local slot
        String queued = create(1); // waits behind it: its stream has nothing to say
        java.util.concurrent.atomic.AtomicInteger cancelStatus = new java.util.concurrent.atomic.AtomicInteger();
        Stream_ s = read(queued, key, null, line -> {
            if (line.equals(": keep-alive") && cancelStatus.get() == 0) {
                try { // cancel once the silence was filled: the stream must then end by itself
                    cancelStatus.set(cancel(queued));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }
        });
        assertThat(cancelStatus.get()).isEqualTo(200);
        assertThat(s.status()).isEqualTo(200);
        assertThat(s.lines().getFirst()).isEqualTo("retry: 1000");
        assertThat(s.lines()).filteredOn(l -> l.startsWith("retry:")).containsExactly("retry: 1000");
        assertThat(s.headers().firstValue("X-Accel-Buffering")).hasValue("no");
        assertThat(s.headers().firstValue("Cache-Control")).hasValue("no-cache");
        assertThat(s.comments()).contains(": keep-alive");
        assertThat(s.events()).extracting(Event::name).containsExactly("video.queued", "video.cancelled");
        assertThat(s.events()).extracting(Event::id).containsExactly("1000", "3000");
        JsonNode last = s.events().getLast().data();
        assertThat(last.path("id").asText()).isEqualTo(queued);
        assertThat(last.path("status").asText()).isEqualTo("failed"); // OpenAI has no cancelled status
        assertThat(last.at("/error/code").asText()).isEqualTo("cancelled");
        assertThat(JSON.readTree(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/v1/videos/"
                + running)).header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString()).body())
                .path("status").asText()).as("the other job was not touched").isIn("queued", "in_progress", "completed");
    }

    /**
     * docs/events.md: {@code video.failed} is an end event like {@code video.completed}: a failed job's stream ends
     * with it (id 3000, the failed video object with its error), the server closes the stream, and a resume after it
     * gets nothing.
     */
    @Test
    void aFailedJobsStreamEndsWithVideoFailedAndCloses() throws Exception {
        start(30);
        backend.failWith("upstream_failed");
        String id = create(1);
        Stream_ s = read(id, key, null);
        assertThat(s.status()).isEqualTo(200);
        assertThat(s.events()).isNotEmpty();
        assertThat(s.events().getLast().name()).isEqualTo("video.failed");
        assertThat(s.events().getLast().id()).isEqualTo("3000");
        assertThat(s.events()).extracting(Event::name).filteredOn(n -> !n.equals("video.queued")
                && !n.equals("video.in_progress") && !n.equals("video.progress")).containsExactly("video.failed");
        JsonNode last = s.events().getLast().data();
        assertThat(last.path("id").asText()).isEqualTo(id);
        assertThat(last.path("status").asText()).isEqualTo("failed");
        assertThat(last.at("/error/code").asText()).isEqualTo("upstream_failed");
        assertThat(last.path("video_url").isMissingNode() || last.path("video_url").isNull()).as("no link to a video that"
                + " does not exist: " + last).isTrue();
        assertThat(read(id, key, "3000").events()).as("resumed after the end: closes at once").isEmpty();
    }

    /**
     * docs/events.md: an instance serves at most 128 event streams at once; the next is refused before anything is
     * streamed with {@code 429 too_many_streams} (while {@code GET /v1/videos/{id}}, the fallback, still answers), and
     * once a client goes away its stream's place is free again. The bound is a constant ({@code MAX_STREAMS}), so the
     * test holds 128 real streams open on one quiet queued job (the poll at its default 250 ms, the keep-alive short
     * so that a gone client is noticed soon).
     */
    @Test
    void the129thOpenStreamIsRefusedWith429TooManyStreamsUntilAClientGoesAway() throws Exception {
        start(2000, Duration.ofMillis(250), Duration.ofMillis(500));
        String running = create(2); // 48 frames at 2 s: holds the one local slot for the whole test
        String queued = create(1); // waits behind it: its streams stay open with nothing but keep-alives to say
        HttpClient client = HttpClient.newHttpClient();
        HttpRequest stream = HttpRequest.newBuilder(URI.create(base + "/v1/videos/" + queued + "/events"))
                .header("Authorization", "Bearer " + key).header("Accept", "text/event-stream").build();
        List<java.io.InputStream> open = new ArrayList<>();
        try {
            List<java.util.concurrent.CompletableFuture<HttpResponse<java.io.InputStream>>> pending = new ArrayList<>();
            for (int i = 0; i < 128; i++) pending.add(client.sendAsync(stream, HttpResponse.BodyHandlers.ofInputStream()));
            for (var f : pending) {
                HttpResponse<java.io.InputStream> r = f.get(60, java.util.concurrent.TimeUnit.SECONDS);
                open.add(r.body());
                assertThat(r.statusCode()).as("stream %d of 128", open.size()).isEqualTo(200);
            }
            // every one of them is really streaming: its first lines arrived
            for (java.io.InputStream in : open) {
                assertThat(new String(in.readNBytes("retry: 1000\n\n".length()), java.nio.charset.StandardCharsets.UTF_8))
                        .isEqualTo("retry: 1000\n\n");
            }

            HttpResponse<java.io.InputStream> refused = client.send(stream, HttpResponse.BodyHandlers.ofInputStream());
            open.add(refused.body()); // closed below whatever it is (a stream served by mistake would never end)
            assertThat(refused.statusCode()).as("the 129th stream").isEqualTo(429);
            assertThat(refused.headers().firstValue("Content-Type").orElse("")).doesNotStartWith("text/event-stream");
            assertThat(JSON.readTree(refused.body().readAllBytes()).at("/error/code").asText()).isEqualTo("too_many_streams");
            open.removeLast().close();
            HttpResponse<String> polled = client.send(HttpRequest.newBuilder(URI.create(base + "/v1/videos/" + queued))
                    .header("Authorization", "Bearer " + key).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(polled.statusCode()).as("polling still answers").isEqualTo(200);
            assertThat(JSON.readTree(polled.body()).path("status").asText()).isEqualTo("queued");

            // one client goes away: once the server notices (at its next write), a new stream is served again
            open.removeFirst().close();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (true) {
                HttpResponse<java.io.InputStream> again = client.send(stream, HttpResponse.BodyHandlers.ofInputStream());
                if (again.statusCode() == 200) {
                    open.add(again.body());
                    break;
                }
                assertThat(again.statusCode()).isEqualTo(429);
                again.body().close();
                assertThat(System.nanoTime()).as("a stream is served again after a client left").isLessThan(deadline);
                Thread.sleep(100);
            }
            HttpResponse<java.io.InputStream> stillFull = client.send(stream, HttpResponse.BodyHandlers.ofInputStream());
            open.add(stillFull.body());
            assertThat(stillFull.statusCode()).as("128 open again").isEqualTo(429);
        } finally {
            for (String id : List.of(queued, running)) cancel(id);
            for (java.io.InputStream in : open) in.close();
        }
    }

    /**
     * The silences of a quiet stream: a job queued behind a long one (its stream says {@code video.queued}, then
     * nothing) is read until {@code count} keep-alive comments came, then cancelled, which ends the stream. The gaps
     * as the client saw them: from the {@code video.queued} event to the first comment, then between comments.
     */
    List<Duration> keepAliveGaps(int count) throws Exception {
        String running = create(2); // 48 frames at 700 ms: holds the one local slot for the whole test
        String queued = create(1);
        List<Long> arrivals = new ArrayList<>();
        try {
            Stream_ s = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(30),
                    () -> read(queued, key, null, line -> {
                        boolean keepAlive = line.equals(": keep-alive");
                        if (line.startsWith("id: ") && arrivals.isEmpty() || keepAlive) arrivals.add(System.nanoTime());
                        if (keepAlive && arrivals.size() == count + 1) {
                            try {
                                assertThat(cancel(queued)).isEqualTo(200);
                            } catch (Exception e) {
                                throw new RuntimeException(e);
                            }
                        }
                    }), "the stream's keep-alives came, or the stream ended");
            assertThat(s.events()).as("nothing but keep-alives between the events").extracting(Event::name)
                    .containsExactly("video.queued", "video.cancelled");
        } finally {
            cancel(running);
        }
        List<Duration> gaps = new ArrayList<>();
        for (int i = 1; i < arrivals.size(); i++) gaps.add(Duration.ofNanos(arrivals.get(i) - arrivals.get(i - 1)));
        return gaps;
    }

    /**
     * docs/events.md, Keep-alive: a comment line {@code : keep-alive} after 15 s without an event. The surface as
     * {@code framegate serve} builds it (no timings set): the first comment of a silent stream comes 15 s after its
     * event, not before, and well within 20 s.
     */
    @Test
    void aSilentStreamsFirstKeepAliveComesAfterTheDefault15Seconds() throws Exception {
        start(700, null, null);
        assertThat(keepAliveGaps(1)).singleElement().satisfies(gap ->
                assertThat(gap).isBetween(Duration.ofMillis(14_500), Duration.ofSeconds(20)));
    }

    /** docs/events.md, Keep-alive: the interval a server is given is the silence after which each comment goes out. */
    @Test
    void aSilentStreamGetsAKeepAliveEveryConfiguredInterval() throws Exception {
        start(700, Duration.ofMillis(50), Duration.ofSeconds(1));
        assertThat(keepAliveGaps(3)).hasSize(3).allSatisfy(gap ->
                assertThat(gap).isBetween(Duration.ofMillis(900), Duration.ofMillis(2500)));
    }

    /**
     * docs/events.md, Any instance: the stream reads the job from the database, so it works on whichever instance the
     * client reaches, wherever the job runs. Two servers share one database (an H2 database both open by URL, as
     * instances share PostgreSQL): the job is created on A and runs there (B's workers look for jobs only hourly and
     * never render it), and a client of B streams its whole life, to its end event with a signed link of B's origin.
     */
    @Test
    void aClientOfAnotherInstanceSharingTheDatabaseStreamsAJobThatRunsOnTheFirst() throws Exception {
        String database = "database:\n  url: jdbc:h2:mem:events-" + java.util.UUID.randomUUID() + "\n";
        for (String name : List.of("a", "b")) {
            java.nio.file.Files.createDirectories(dir.resolve(name));
            java.nio.file.Files.writeString(dir.resolve(name).resolve("framegate.yaml"), database);
        }
        server = serve(dir.resolve("a"), backend = new TinyVideoBackend("local", true, 60), Duration.ofMillis(100),
                Duration.ofMillis(30), Duration.ofMillis(300));
        TinyVideoBackend idle = new TinyVideoBackend("local", true, 0);
        try (FramegateServer other = serve(dir.resolve("b"), idle, Duration.ofHours(1), Duration.ofMillis(30),
                Duration.ofMillis(300))) {
            key = server.keys().create("a").secret(); // in the shared database: B knows it too
            base = "http://127.0.0.1:" + server.port();
            String onB = "http://127.0.0.1:" + other.port();
            String id = create(2); // on A: 48 frames at 60 ms
            Stream_ s = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(30),
                    () -> read(onB, id, key, null, line -> { }), "B's stream followed the job to its end");
            assertThat(s.status()).isEqualTo(200);
            List<String> names = s.events().stream().map(Event::name).toList();
            assertThat(names.getFirst()).isIn("video.queued", "video.in_progress");
            assertThat(names).contains("video.progress");
            assertThat(names.getLast()).isEqualTo("video.completed");
            assertThat(s.events()).extracting(e -> Integer.parseInt(e.id())).isSorted().doesNotHaveDuplicates();
            JsonNode last = s.events().getLast().data();
            assertThat(last.path("id").asText()).isEqualTo(id);
            assertThat(last.path("progress").asInt()).isEqualTo(100);
            assertThat(last.path("video_url").asText()).startsWith(onB + "/v1/videos/" + id + "/content/signed?");
            assertThat(backend.attempts(id)).as("the job ran on A").isEqualTo(1);
            assertThat(idle.totalAttempts()).as("and never on B").isZero();
        }
    }
}
