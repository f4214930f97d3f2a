package io.framegate.server;

import io.framegate.server.jobs.WorkerSettings;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * How to run the server.
 *
 * @param host            address to bind ({@code 0.0.0.0} for every interface)
 * @param port            TCP port; 0 picks a free one
 * @param dataDir         database, videos and scratch files live here
 * @param configFile      {@code framegate.yaml} given explicitly (it must exist); null means {@code <dataDir>/framegate.yaml}
 *                        if that exists, else no config (every model rendered offline)
 * @param maxUploadBytes  largest request body or uploaded file accepted (413 above)
 * @param pollAfterMillis the poll interval suggested to clients ({@code openai-poll-after-ms})
 * @param workers         worker pool settings (slot counts from the config file override these)
 * @param accessLog       where the JSON access log lines go, or null for none
 */
public record ServerOptions(String host, int port, Path dataDir, Path configFile, long maxUploadBytes,
                            long pollAfterMillis, WorkerSettings workers, PrintStream accessLog) {
    public static final long DEFAULT_MAX_UPLOAD_BYTES = 50L * 1024 * 1024;

    public static ServerOptions defaults(Path dataDir) {
        return new ServerOptions("0.0.0.0", 8080, dataDir, null, DEFAULT_MAX_UPLOAD_BYTES, 1000, WorkerSettings.DEFAULT,
                System.out);
    }

    public ServerOptions withPort(int p) {
        return new ServerOptions(host, p, dataDir, configFile, maxUploadBytes, pollAfterMillis, workers, accessLog);
    }

    public ServerOptions withHost(String h) {
        return new ServerOptions(h, port, dataDir, configFile, maxUploadBytes, pollAfterMillis, workers, accessLog);
    }

    public ServerOptions withConfigFile(Path f) {
        return new ServerOptions(host, port, dataDir, f, maxUploadBytes, pollAfterMillis, workers, accessLog);
    }

    public ServerOptions withMaxUploadBytes(long n) {
        return new ServerOptions(host, port, dataDir, configFile, n, pollAfterMillis, workers, accessLog);
    }

    public ServerOptions withPollAfterMillis(long ms) {
        return new ServerOptions(host, port, dataDir, configFile, maxUploadBytes, ms, workers, accessLog);
    }

    public ServerOptions withWorkers(WorkerSettings w) {
        return new ServerOptions(host, port, dataDir, configFile, maxUploadBytes, pollAfterMillis, w, accessLog);
    }

    public ServerOptions withAccessLog(PrintStream out) {
        return new ServerOptions(host, port, dataDir, configFile, maxUploadBytes, pollAfterMillis, workers, out);
    }
}
