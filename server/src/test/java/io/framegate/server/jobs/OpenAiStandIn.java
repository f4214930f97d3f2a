package io.framegate.server.jobs;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OpenAI-compatible {@code /v1/videos} upstream in this JVM (the JDK's HTTP server, a few threads): every created
 * video stays {@code in_progress} until {@link #finishAll}, then is {@code completed} and served as a small body.
 */
final class OpenAiStandIn implements AutoCloseable {
    /** Not a playable video, but an MP4's top-level boxes (ftyp, moov, mdat), which is what the providers check. */
    static final byte[] VIDEO = mp4Boxes("not really an mp4, but bytes to store".getBytes(StandardCharsets.UTF_8));

    private static byte[] mp4Boxes(byte[] payload) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16 + 8 + 8 + payload.length);
        b.putInt(16).put("ftypisom".getBytes(StandardCharsets.US_ASCII)).putInt(0);
        b.putInt(8).put("moov".getBytes(StandardCharsets.US_ASCII));
        b.putInt(8 + payload.length).put("mdat".getBytes(StandardCharsets.US_ASCII)).put(payload);
        return b.array();
    }

    final AtomicInteger creates = new AtomicInteger();
    final AtomicInteger polls = new AtomicInteger();
    final AtomicInteger downloads = new AtomicInteger();
    final AtomicInteger deletes = new AtomicInteger();
    /** Upstream ids created, with how many creates named each (must stay 1). */
    final Map<String, AtomicInteger> videos = new ConcurrentHashMap<>();
    /** The {@code progress} a running video reports. */
    volatile int progress = 10;
    /** Polls answer completed and in_progress in turn (the first completed): an upstream that contradicts itself. */
    volatile boolean flipping;
    private final AtomicBoolean finished = new AtomicBoolean();
    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(8, r -> {
        Thread t = new Thread(r, "stand-in");
        t.setDaemon(true);
        return t;
    });

    OpenAiStandIn() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
        server.createContext("/v1/videos", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    void finishAll() {
        finished.set(true);
    }

    private void handle(HttpExchange x) throws IOException {
        try (x; InputStream in = x.getRequestBody()) {
            in.readAllBytes();
            String path = x.getRequestURI().getPath();
            String method = x.getRequestMethod();
            if (method.equals("POST") && path.equals("/v1/videos")) {
                String id = "video_" + creates.incrementAndGet();
                videos.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
                json(x, 200, video(id, "queued"));
            } else if (method.equals("GET") && path.endsWith("/content")) {
                if (!String.valueOf(x.getRequestURI().getQuery()).contains("variant=video")) {
                    json(x, 404, "{\"error\": {\"message\": \"no such variant\"}}");
                    return;
                }
                downloads.incrementAndGet();
                x.getResponseHeaders().add("Content-Type", "video/mp4");
                x.sendResponseHeaders(200, VIDEO.length);
                x.getResponseBody().write(VIDEO);
            } else if (method.equals("GET")) {
                int n = polls.incrementAndGet();
                boolean done = flipping ? n % 2 == 1 : finished.get();
                String id = path.substring(path.lastIndexOf('/') + 1);
                json(x, videos.containsKey(id) ? 200 : 404, videos.containsKey(id)
                        ? video(id, done ? "completed" : "in_progress") : "{\"error\": {\"message\": \"no\"}}");
            } else if (method.equals("DELETE")) {
                deletes.incrementAndGet();
                json(x, 200, "{\"id\": \"x\", \"object\": \"video.deleted\", \"deleted\": true}");
            } else {
                json(x, 405, "{\"error\": {\"message\": \"method\"}}");
            }
        }
    }

    private String video(String id, String status) {
        return """
                { "id": "%s", "object": "video", "created_at": 1758941485, "status": "%s", "model": "sora-2",
                  "progress": %d, "seconds": "4", "size": "1280x720", "completed_at": null, "expires_at": null,
                  "prompt": "p", "remixed_from_video_id": null, "error": null }
                """.formatted(id, status, "completed".equals(status) ? 100 : progress);
    }

    private static void json(HttpExchange x, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", "application/json");
        x.sendResponseHeaders(status, b.length);
        x.getResponseBody().write(b);
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
