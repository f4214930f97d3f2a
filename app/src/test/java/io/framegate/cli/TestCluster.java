package io.framegate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Several {@code framegate serve} processes sharing one real PostgreSQL database and one S3 bucket, as
 * {@code deploy/local-cluster.sh} runs them: a database of its own on the PostgreSQL of {@code FRAMEGATE_TEST_PG_URL}
 * (dropped at the end), s3proxy (the jar the server module's build copies) as a process on loopback with a
 * filesystem store, and instance N with its own data directory and its own upstream API key {@code sk-inst-N}, so the
 * upstream stand-in can tell which instance called it. Instances are numbered from 1.
 */
final class TestCluster implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    static final String BUCKET = "framegate";
    private static final String S3_ACCESS = "fg-cluster-test-access";
    private static final String S3_SECRET = "fg-cluster-test-secret-0123456789abcdef";

    final Path dir;
    final String adminToken = "fga_" + hex(24);
    private final String pgAdminUrl;
    private final String database = "fg_cluster_" + hex(6);
    private final String dbUrl;
    private final String dbPassword;
    private final Process s3proxy;
    private final int s3port;
    private final String upstreamBaseUrl;
    private final String extraYaml;
    private final ServerProcess[] instances;
    private final int[] starts;
    /** Kills what this cluster started if the test JVM exits without {@link #close()} (e.g. a timeout of the build). */
    private final Thread killOnExit = new Thread(this::killAll, "test-cluster-kill-on-exit");
    /** YAML appended to one instance's config at its next start, on top of the shared extra YAML. */
    final Map<Integer, String> extraFor = new java.util.concurrent.ConcurrentHashMap<>();

    record Reply(int status, String body) {
        JsonNode json() throws IOException {
            return JSON.readTree(body);
        }
    }

    /** The PostgreSQL test URL, or the test is skipped with a message saying how to run it. */
    static String pgUrl() {
        String url = System.getenv("FRAMEGATE_TEST_PG_URL");
        Assumptions.assumeTrue(url != null && !url.isBlank(), "FRAMEGATE_TEST_PG_URL is not set (no PostgreSQL here): "
                + "skipping the multi-instance test; .ci/run sets it, or run `deploy/pg-test.sh start DIR` and export the URL it prints");
        return url;
    }

    /**
     * Starts PostgreSQL's database and s3proxy (not the instances: {@link #start}). {@code extraYaml} is appended to
     * every instance's {@code framegate.yaml} (workers, timing, ...).
     */
    TestCluster(Path dir, int size, String upstreamBaseUrl, String extraYaml) throws Exception {
        this.dir = dir;
        this.upstreamBaseUrl = upstreamBaseUrl;
        this.extraYaml = extraYaml;
        this.instances = new ServerProcess[size + 1];
        this.starts = new int[size + 1];
        pgAdminUrl = pgUrl();
        URI u = URI.create(pgAdminUrl.substring("jdbc:".length()));
        Map<String, String> query = new LinkedHashMap<>();
        for (String kv : String.valueOf(u.getRawQuery()).split("&")) {
            int eq = kv.indexOf('=');
            if (eq > 0) query.put(kv.substring(0, eq), URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
        }
        dbPassword = query.getOrDefault("password", "");
        try (Connection c = DriverManager.getConnection(pgAdminUrl); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + database);
        }
        dbUrl = "jdbc:postgresql://" + u.getHost() + ":" + u.getPort() + "/" + database;
        Process proxy = null;
        try {
            s3port = freePort();
            proxy = startS3proxy();
        } catch (Exception e) {
            dropDatabase();
            throw e;
        }
        s3proxy = proxy;
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    private void killAll() {
        for (ServerProcess s : instances) if (s != null) s.process.destroyForcibly();
        if (s3proxy != null) s3proxy.destroyForcibly();
    }

    private Process startS3proxy() throws Exception {
        Path root = Path.of("").toAbsolutePath().getParent();
        Path jar = root.resolve("server/target/s3proxy/s3proxy.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: the server module's build copies it (run the tests through Maven's reactor)");
        }
        // with the filesystem store a bucket is a directory, made before it starts (as deploy/local-cluster.sh does)
        Files.createDirectories(bucketDir());
        Path props = dir.resolve("s3proxy.properties");
        Files.writeString(props, String.join("\n", "s3proxy.endpoint=http://127.0.0.1:" + s3port,
                "s3proxy.authorization=aws-v2-or-v4", "s3proxy.identity=" + S3_ACCESS, "s3proxy.credential=" + S3_SECRET,
                "jclouds.provider=filesystem", "jclouds.filesystem.basedir=" + dir.resolve("s3"), ""));
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-jar", jar.toString(), "--properties", props.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("s3proxy.log").toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", s3port), 500);
                return p;
            } catch (IOException notYet) {
                if (!p.isAlive()) throw new IllegalStateException("s3proxy exited: " + ServerProcess.read(dir.resolve("s3proxy.log")));
                if (System.nanoTime() > deadline) {
                    p.destroyForcibly();
                    throw new IllegalStateException("s3proxy did not listen on " + s3port);
                }
                Thread.sleep(100);
            }
        }
    }

    /** The bucket as s3proxy's filesystem store keeps it: one file per object, {@code <jobId>/<name>}. */
    Path bucketDir() {
        return dir.resolve("s3").resolve(BUCKET);
    }

    Path dataDir(int i) {
        return dir.resolve("data-" + i);
    }

    /** Starts instance {@code i} (again, on the same data directory, after a kill). */
    ServerProcess start(int i) throws Exception {
        Path conf = Files.createDirectories(dir.resolve("conf-" + i));
        Files.writeString(conf.resolve("upstream.key"), "sk-inst-" + i + "\n");
        Path yaml = conf.resolve("framegate.yaml");
        Files.writeString(yaml, """
                database: {url: '%s', user: framegate, password_env: FG_DB_PASSWORD}
                storage: {type: s3, endpoint: 'http://127.0.0.1:%d', bucket: %s, region: us-east-1, path_style: true,
                          access_key_env: FG_S3_ACCESS, secret_key_env: FG_S3_SECRET}
                providers:
                  agg: {type: openai, base_url: '%s', api_key_file: upstream.key}
                routes:
                  sora-2: [{channel: agg, allow_retired: true}]
                """.formatted(dbUrl, s3port, BUCKET, upstreamBaseUrl) + extraYaml + extraFor.getOrDefault(i, ""));
        Map<String, String> env = Map.of("FRAMEGATE_ADMIN_TOKEN", adminToken, "FG_DB_PASSWORD", dbPassword,
                "FG_S3_ACCESS", S3_ACCESS, "FG_S3_SECRET", S3_SECRET);
        ServerProcess s = ServerProcess.start(Files.createDirectories(dataDir(i)), yaml, dir.resolve("logs"),
                "instance-" + i + "-start-" + (++starts[i]), env);
        instances[i] = s;
        return s;
    }

    /** Starts instances 1..N: the first alone (it runs the migrations), the others together after it. */
    void startAll() throws Exception {
        start(1);
        List<java.util.concurrent.Future<ServerProcess>> rest = new ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 2; i < instances.length; i++) {
                int n = i;
                rest.add(pool.submit(() -> start(n)));
            }
            for (var f : rest) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw e.getCause() instanceof Exception x ? x : e;
                }
            }
        }
    }

    ServerProcess instance(int i) {
        return instances[i];
    }

    int size() {
        return instances.length - 1;
    }

    /** Every instance's stderr, for failure messages. */
    String logs() {
        StringBuilder b = new StringBuilder();
        try (Stream<Path> files = Files.list(dir.resolve("logs"))) {
            for (Path f : files.sorted().toList()) {
                String text = ServerProcess.read(f);
                b.append("\n===== ").append(f.getFileName()).append(" (last 4000 chars)\n")
                        .append(text.substring(Math.max(0, text.length() - 4000)));
            }
        } catch (IOException e) {
            b.append("cannot list logs: ").append(e);
        }
        return b.toString();
    }

    Reply admin(int i, String method, String path, String body) throws Exception {
        return send(instances[i].base() + path, adminToken, method, body, null);
    }

    /** A new API key (admin API of instance 1) with the given extra fields; answers its secret. */
    String createKey(String name, String extraFields) throws Exception {
        Reply r = admin(1, "POST", "/admin/v1/keys", "{\"name\":\"" + name + "\"" + (extraFields.isEmpty() ? "" : "," + extraFields) + "}");
        if (r.status() != 201) throw new AssertionError("creating key " + name + ": " + r);
        return r.json().path("secret").asText();
    }

    static Reply send(String url, String bearer, String method, String body, String idempotencyKey) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + bearer);
        if (idempotencyKey != null) b.header("Idempotency-Key", idempotencyKey);
        if (body != null) b.header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body());
    }

    static HttpResponse<byte[]> download(String url, String bearer) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + bearer).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Regular files under {@code root}, relative to it (read again when something is deleted during the walk). */
    static List<String> filesUnder(Path root) {
        for (int tries = 0; ; tries++) {
            if (!Files.exists(root)) return List.of();
            try (Stream<Path> all = Files.walk(root)) {
                return all.filter(Files::isRegularFile).map(f -> root.relativize(f).toString()).sorted().toList();
            } catch (IOException | java.io.UncheckedIOException e) {
                if (tries == 5) throw new IllegalStateException("cannot list " + root, e);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static String hex(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private void dropDatabase() {
        try (Connection c = DriverManager.getConnection(pgAdminUrl); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        } catch (Exception e) {
            System.err.println("TestCluster: cannot drop database " + database + ": " + e);
        }
    }

    @Override
    public void close() throws Exception {
        List<Exception> problems = new ArrayList<>();
        for (ServerProcess s : instances) {
            if (s == null) continue;
            try {
                s.close();
            } catch (Exception e) {
                problems.add(e);
            }
        }
        if (s3proxy != null) {
            s3proxy.destroy();
            if (!s3proxy.waitFor(10, TimeUnit.SECONDS)) s3proxy.destroyForcibly().waitFor();
        }
        dropDatabase();
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException exiting) {
            // the JVM is shutting down already: the hook runs, harmlessly
        }
        if (!problems.isEmpty()) throw problems.get(0);
    }
}
