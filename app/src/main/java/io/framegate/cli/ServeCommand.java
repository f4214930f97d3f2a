package io.framegate.cli;

import io.framegate.engine.LocalEngine;
import io.framegate.provider.ConfigException;
import io.framegate.provider.ConfigSection;
import io.framegate.server.FramegateServer;
import io.framegate.server.ServerOptions;
import io.framegate.server.media.MediaFinisher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code framegate serve}: the OpenAI- and Veo-compatible HTTP API over durable jobs. */
@Command(name = "serve", description = "Run the API server (OpenAI Videos and Gemini/Vertex Veo wire formats).")
final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--port", defaultValue = "8080", description = "TCP port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--host", defaultValue = "0.0.0.0", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--data", defaultValue = "./data", description = "Directory for the database and videos (default: ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--config", paramLabel = "FILE", description = "framegate.yaml with providers, routes, workers, database"
            + " (default: <data>/framegate.yaml if it exists; without one every model is rendered offline).")
    Path config;

    @Option(names = "--max-upload", paramLabel = "SIZE", defaultValue = "50MiB", converter = ByteSize.class,
            description = "Largest request body or uploaded file, 413 above: a size as in framegate.yaml (512MiB, 1GiB, "
                    + "100MB, or bytes; default: ${DEFAULT-VALUE}).")
    long maxUpload;

    /** A size in config.md's grammar ({@link ConfigSection#parseBytes}), from 1KB to 1GiB. */
    static final class ByteSize implements picocli.CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            long bytes = ConfigSection.parseBytes(value).orElse(-1);
            // bodies are read into one byte array, so well under 2^31; 1 GiB already needs a heap to match
            if (bytes < 1024 || bytes > (1L << 30)) {
                throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not a size from 1KB to 1GB "
                        + "(e.g. 512MiB, 100MB or a number of bytes)");
            }
            return bytes;
        }
    }

    @Override
    public Integer call() throws Exception {
        ServerOptions options = ServerOptions.defaults(data).withPort(port).withHost(host).withConfigFile(config)
                .withMaxUploadBytes(maxUpload);
        FramegateServer.Builder builder = FramegateServer.builder(options).finisher(new MediaFinisher())
                .localBackend(new LocalEngine());
        PrintWriter err = spec.commandLine().getErr();
        FramegateServer server;
        try {
            server = builder.build();
        } catch (ConfigException e) {
            err.println("framegate serve: " + e.source() + " is wrong; nothing was started (format: docs/config.md):");
            e.problems().forEach(p -> err.println("  " + p));
            err.flush();
            return 2;
        } catch (IllegalArgumentException | java.io.IOException e) {
            err.println("framegate serve: " + e.getMessage());
            err.flush();
            return 2;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "framegate-shutdown"));
        server.start();
        server.createdDefaultKey().ifPresent(secret -> {
            System.err.println("No API key existed, so a key named 'default' was created. Its secret is shown only "
                    + "now; clients send it as `Authorization: Bearer <key>` (OpenAI) or `x-goog-api-key` (Gemini):");
            System.out.println(secret);
            System.out.flush();
        });
        stopped.await();
        return 0;
    }
}
