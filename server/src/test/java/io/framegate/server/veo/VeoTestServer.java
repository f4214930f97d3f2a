package io.framegate.server.veo;

import io.framegate.server.FramegateServer;
import io.framegate.server.RecordingBackend;
import io.framegate.server.ServerOptions;
import io.framegate.server.TinyVideoBackend;
import io.framegate.server.jobs.WorkerSettings;
import io.framegate.server.media.MediaFinisher;
import io.framegate.engine.VideoFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real Framegate server on a free loopback port with only the two Veo surfaces, an embedded database in a temp
 * directory and the test backend that encodes real H.264 videos of the planned size and length.
 */
final class VeoTestServer implements AutoCloseable {
    final Path dir;
    final FramegateServer server;
    final TinyVideoBackend backend = new TinyVideoBackend("local", true, 0);
    /** What each job handed the backend (roles, image hashes, seconds, size). */
    final RecordingBackend received = new RecordingBackend(backend);
    final String keyA;
    final String keyB;
    /** Largest request body this test server accepts. */
    static final long MAX_BODY_BYTES = 4L * 1024 * 1024;

    VeoTestServer() throws IOException {
        this(MAX_BODY_BYTES);
    }

    /** @param maxBodyBytes the largest request body accepted */
    VeoTestServer(long maxBodyBytes) throws IOException {
        dir = Files.createTempDirectory("framegate-veo-");
        ServerOptions options = ServerOptions.defaults(dir).withHost("127.0.0.1").withPort(0).withAccessLog(null)
                .withMaxUploadBytes(maxBodyBytes)
                .withWorkers(new WorkerSettings(1, 2, Duration.ofSeconds(30), Duration.ofMillis(100),
                        Duration.ofSeconds(5)));
        server = FramegateServer.builder(options)
                .backend("local", received)
                .finisher(new MediaFinisher())
                .surfaces(List.of(new GeminiSurface(), new VertexSurface()))
                .build()
                .start();
        keyA = server.keys().create("a").secret();
        keyB = server.keys().create("b").secret();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    /** Width, height and frame count of an MP4, decoded with FFmpeg. */
    static VideoFiles.Info probe(byte[] mp4) throws IOException {
        Path tmp = Files.createTempFile("veo-probe-", ".mp4");
        try {
            Files.write(tmp, mp4);
            return VideoFiles.probe(tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public void close() {
        server.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
