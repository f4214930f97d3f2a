package io.framegate.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/** The fast upstream: create answers {@code queued} at once, a poll {@code completed}, content the given MP4. */
final class StandIn implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(64);
    private final AtomicLong ids = new AtomicLong();
    private final byte[] mp4;

    StandIn(byte[] mp4) throws IOException {
        this.mp4 = mp4;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        server.setExecutor(threads);
        server.createContext("/v1/videos", this::handle);
        server.start();
    }

    String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            x.getRequestBody().readAllBytes();
            String[] parts = x.getRequestURI().getPath().substring("/v1/videos".length()).split("/");
            if (x.getRequestMethod().equals("POST")) {
                send(x, 200, "application/json", video("video_bench_" + ids.incrementAndGet(), "queued"));
            } else if (parts.length == 2) {
                send(x, 200, "application/json", video(parts[1], "completed"));
            } else if (parts.length == 3 && String.valueOf(x.getRequestURI().getQuery()).contains("variant=video")) {
                send(x, 200, "video/mp4", mp4);
            } else {
                send(x, 404, "application/json", "{\"error\":{\"message\":\"no such variant\",\"type\":\"invalid_request_error\"}}"
                        .getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private static byte[] video(String id, String status) {
        return ("{\"id\":\"" + id + "\",\"object\":\"video\",\"created_at\":1758941485,\"status\":\"" + status
                + "\",\"model\":\"sora-2\",\"progress\":" + ("completed".equals(status) ? 100 : 0)
                + ",\"seconds\":\"4\",\"size\":\"1280x720\",\"completed_at\":null,\"expires_at\":null,\"prompt\":\"p\","
                + "\"remixed_from_video_id\":null,\"error\":null}").getBytes(StandardCharsets.UTF_8);
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
        server.stop(0);
        threads.shutdownNow();
    }
}
