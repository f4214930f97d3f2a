package io.framegate.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An OpenAI-compatible {@code /v1/videos} upstream at the wire (a JDK {@link HttpServer}) for tests of several
 * instances: it names each job by the token {@code job-...} in its prompt, counts the submits of every token, tells
 * the instances apart by their API key ({@code Bearer sk-inst-N}), answers a job {@code in_progress} until its delay
 * after the submit has passed (and while completions are held) and {@code completed} after that, and serves its video (the same bytes for every
 * instance unless {@link #videoFor} says otherwise). A content download of one upstream job by one instance can be
 * held back ({@link #holdContent}) to freeze an instance in the middle of finishing a job.
 */
final class VideosStandIn implements AutoCloseable {
    private static final Pattern TOKEN = Pattern.compile("job-[A-Za-z0-9-]+");
    private static final Pattern INSTANCE = Pattern.compile("Bearer sk-inst-(\\d+)");

    /** One accepted submit: the job's token, the instance that sent it, the upstream id it got. */
    record Submit(String token, int instance, String upstreamId, long atNanos) {}

    /**
     * The first video download of the job with this token, held back until {@code release} counts down, then answered
     * with {@code body}; {@code started} counts down when it arrives ({@code instance} is then who sent it) and
     * {@code served} when its answer was written.
     */
    static final class Hold {
        final String token;
        final byte[] body;
        final CountDownLatch started = new CountDownLatch(1), release = new CountDownLatch(1), served = new CountDownLatch(1);
        volatile int instance;

        Hold(String token, byte[] body) {
            this.token = token;
            this.body = body;
        }
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final AtomicInteger ids = new AtomicInteger();
    final List<Submit> submits = new CopyOnWriteArrayList<>();
    private final Map<String, Submit> byUpstreamId = new ConcurrentHashMap<>();
    /** upstream id -> instances that polled it, in order */
    private final Map<String, List<Integer>> polls = new ConcurrentHashMap<>();
    /** upstream id -> instances that downloaded its video, in order */
    private final Map<String, List<Integer>> downloads = new ConcurrentHashMap<>();
    private final Map<String, Hold> holds = new ConcurrentHashMap<>();
    private final byte[] video;
    private final Duration delay;
    private volatile boolean held;

    VideosStandIn(byte[] video, Duration delay) throws IOException {
        this.video = video;
        this.delay = delay;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        server.setExecutor(threads);
        server.createContext("/v1/videos", this::handle);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** From now on every job answers {@code in_progress}, however long ago it was submitted, until {@link #finish()}. */
    void holdCompletions() {
        held = true;
    }

    /** Jobs complete again once their delay has passed. */
    void finish() {
        held = false;
    }

    byte[] video() {
        return video;
    }

    List<Submit> submitsOf(String token) {
        return submits.stream().filter(s -> s.token().equals(token)).toList();
    }

    List<Integer> pollsOf(String upstreamId) {
        return List.copyOf(polls.getOrDefault(upstreamId, List.of()));
    }

    List<Integer> downloadsOf(String upstreamId) {
        return List.copyOf(downloads.getOrDefault(upstreamId, List.of()));
    }

    /** Holds back the first video download of the job with {@code token} and answers it with {@code body}. */
    Hold holdFirstDownload(String token, byte[] body) {
        Hold h = new Hold(token, body);
        holds.put(token, h);
        return h;
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            Matcher who = INSTANCE.matcher(String.valueOf(x.getRequestHeaders().getFirst("Authorization")));
            if (!who.find()) {
                send(x, 401, "application/json", "{\"error\":{\"message\":\"unknown key\",\"type\":\"invalid_request_error\"}}");
                return;
            }
            int instance = Integer.parseInt(who.group(1));
            String path = x.getRequestURI().getPath();
            String[] parts = path.substring("/v1/videos".length()).split("/");
            if (x.getRequestMethod().equals("POST") && parts.length <= 1) {
                submit(x, instance);
            } else if (x.getRequestMethod().equals("GET") && parts.length == 2) {
                poll(x, parts[1], instance);
            } else if (x.getRequestMethod().equals("GET") && parts.length == 3 && parts[2].equals("content")) {
                content(x, parts[1], instance);
            } else {
                send(x, 404, "application/json", "{\"error\":{\"message\":\"no such route\",\"type\":\"invalid_request_error\"}}");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void submit(HttpExchange x, int instance) throws IOException {
        String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.ISO_8859_1);
        Matcher t = TOKEN.matcher(body);
        if (!t.find()) {
            send(x, 400, "application/json", "{\"error\":{\"message\":\"no job token in the prompt\",\"type\":\"invalid_request_error\"}}");
            return;
        }
        String id = "video_standin_" + ids.incrementAndGet();
        Submit s = new Submit(t.group(), instance, id, System.nanoTime());
        byUpstreamId.put(id, s);
        submits.add(s);
        send(x, 200, "application/json", video(id, "queued", 0));
    }

    private void poll(HttpExchange x, String id, int instance) throws IOException {
        Submit s = byUpstreamId.get(id);
        if (s == null) {
            send(x, 404, "application/json", "{\"error\":{\"message\":\"no such video\",\"type\":\"invalid_request_error\"}}");
            return;
        }
        polls.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(instance);
        boolean done = !held && System.nanoTime() - s.atNanos() >= delay.toNanos();
        x.getResponseHeaders().add("openai-poll-after-ms", "200");
        send(x, 200, "application/json", video(id, done ? "completed" : "in_progress", done ? 100 : 50));
    }

    private void content(HttpExchange x, String id, int instance) throws IOException, InterruptedException {
        String query = String.valueOf(x.getRequestURI().getQuery());
        if (!byUpstreamId.containsKey(id) || !query.contains("variant=video")) {
            send(x, 404, "application/json", "{\"error\":{\"message\":\"no such variant\",\"type\":\"invalid_request_error\"}}");
            return;
        }
        downloads.computeIfAbsent(id, k -> new CopyOnWriteArrayList<>()).add(instance);
        Hold hold = holds.remove(byUpstreamId.get(id).token());
        if (hold == null) {
            send(x, 200, "video/mp4", video);
            return;
        }
        hold.instance = instance;
        hold.started.countDown();
        hold.release.await();
        send(x, 200, "video/mp4", hold.body);
        hold.served.countDown();
    }

    private static String video(String id, String status, int progress) {
        return """
                {"id": "%s", "object": "video", "created_at": 1758941485, "status": "%s", "model": "sora-2",
                 "progress": %d, "seconds": "4", "size": "1280x720", "completed_at": null, "expires_at": null,
                 "prompt": "p", "remixed_from_video_id": null, "error": null}
                """.formatted(id, status, progress);
    }

    private static void send(HttpExchange x, int status, String type, String body) throws IOException {
        send(x, status, type, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange x, int status, String type, byte[] body) throws IOException {
        x.getResponseHeaders().add("Content-Type", type);
        x.sendResponseHeaders(status, body.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        holds.values().forEach(h -> h.release.countDown());
        server.stop(0);
        threads.shutdownNow();
    }
}
