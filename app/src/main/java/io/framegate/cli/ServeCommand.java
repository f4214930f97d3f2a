package io.framegate.cli;

import io.framegate.engine.LocalEngine;
import io.framegate.provider.ConfigException;
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

    @Option(names = "--max-upload", paramLabel = "SIZE", defaultValue = "50MB", converter = ByteSize.class,
            description = "Largest request body or uploaded file, 413 above: bytes, or a number with KB, MB or GB "
                    + "(binary: 1 MB = 1048576 bytes; default: ${DEFAULT-VALUE}).")
    long maxUpload;

    /** {@code 50MB}, {@code 512KB}, {@code 1GB}, {@code 1048576}: binary units, as the limits are documented. */
    static final class ByteSize implements picocli.CommandLine.ITypeConverter<Long> {
        private static final java.util.regex.Pattern FORM = java.util.regex.Pattern.compile("(\\d{1,10})\\s*(B|KB|MB|GB)?",
                java.util.regex.Pattern.CASE_INSENSITIVE);

        @Override
        public Long convert(String value) {
            java.util.regex.Matcher m = FORM.matcher(value.trim());
            long n = m.matches() ? Long.parseLong(m.group(1)) : -1;
            int shift = m.matches() && m.group(2) != null ? switch (m.group(2).toUpperCase(java.util.Locale.ROOT)) {
                case "KB" -> 10;
                case "MB" -> 20;
                case "GB" -> 30;
                default -> 0;
            } : 0;
            long bytes = n < 0 ? -1 : n << shift;
            // bodies are read into one byte array, so well under 2^31; 1 GB already needs a heap to match
            if (bytes < 1024 || bytes > (1L << 30)) {
                throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not a size from 1KB to 1GB "
                        + "(bytes, or a number with KB, MB or GB)");
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
