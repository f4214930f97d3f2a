package io.framegate.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Create throughput and latency of the gateway against a fast OpenAI-compatible upstream stand-in (in this JVM: every
 * submit answers {@code queued} at once, the first poll {@code completed}, the content is {@code --video}), compared
 * with the same creates sent straight to the stand-in, so the table shows what the gateway itself adds on a create.
 * Targets: {@code direct} (the stand-in), {@code embedded} (one {@code serve}, H2 file + local disk, the default) and
 * {@code cluster:N} (N instances on PostgreSQL + s3proxy from {@code deploy/local-cluster.sh}; the load goes round-robin
 * over them, as a load balancer would). Each target gets {@code --warmup} creates first, not counted. Run through
 * {@code bench/cluster-load.sh}.
 */
@Command(name = "cluster-load", mixinStandardHelpOptions = true,
        description = "Creates/s and create p50/p99: the gateway (embedded, N instances) vs the upstream stand-in directly.")
public final class ClusterLoad implements Callable<Integer> {
    private static final Pattern INSTANCE = Pattern.compile("(?m)^instance \\d+ (http://\\S+) pid (\\d+)$");
    private static final Pattern API_KEY = Pattern.compile("(?m)^api_key (\\S+)$");
    private static final String ADMIN_TOKEN = "fga_cluster_load_bench_0123456789abcdef";
    private static final String UPSTREAM_KEY = "sk-cluster-load-bench";

    @Option(names = "--repo", defaultValue = ".", description = "Repository root (default: current directory).")
    Path repo;
    @Option(names = "--targets", split = ",", defaultValue = "direct,embedded,cluster:1,cluster:3",
            description = "What to load: direct, embedded, cluster:N (default: ${DEFAULT-VALUE}).")
    List<String> targets;
    @Option(names = "--creates", defaultValue = "2000", description = "Counted creates per target (default: ${DEFAULT-VALUE}).")
    int creates;
    @Option(names = "--concurrency", defaultValue = "32", description = "Creates in flight at once (default: ${DEFAULT-VALUE}).")
    int concurrency;
    @Option(names = "--warmup", defaultValue = "300", description = "Uncounted creates first (default: ${DEFAULT-VALUE}).")
    int warmup;
    @Option(names = "--video", required = true, description = "An MP4 the stand-in serves as every result.")
    Path video;
    @Option(names = "--java-opts", defaultValue = "", description = "Extra JVM options for the instances (e.g. -XX:StartFlightRecording=...).")
    String javaOpts;
    @Option(names = "--drain", description = "After the timed creates, wait until the embedded instance has ended every "
            + "job and report its CPU per job from create to completion (the create path and that job's submit, polls, "
            + "download and previews); the per-create CPU columns count only what the job core did meanwhile.")
    boolean drain;
    @Option(names = "--results", description = "Directory of the markdown results (default: bench/results); 'none' to skip.")
    String results;

    /**
     * @param cpuMillisPerCreate     CPU time (user + system) of the instances' JVMs over the timed creates, per create;
     *                               -1 unknown
     * @param requestCpuMillisPerCreate the same of their HTTP request threads only (the create path itself); -1 unknown
     */
    record Figures(String target, int ok, int failed, double seconds, double p50, double p99, double max,
                   double cpuMillisPerCreate, double requestCpuMillisPerCreate, double cpuMillisPerEndedJob,
                   double drainSeconds) {
        double rate() {
            return ok / seconds;
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new ClusterLoad()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        byte[] mp4 = Files.readAllBytes(video);
        String loadBefore = loadAverage();
        List<Figures> rows = new ArrayList<>();
        try (StandIn upstream = new StandIn(mp4)) {
            for (String t : targets) {
                System.err.println("cluster-load: " + t);
                rows.add(switch (t) {
                    case "direct" -> load(t, List.of(upstream.base() + "/v1/videos"), UPSTREAM_KEY, List.of(), null);
                    case "embedded" -> embedded(upstream);
                    default -> {
                        if (!t.startsWith("cluster:")) throw new CommandLine.ParameterException(new CommandLine(this),
                                "--targets: " + t + " is not direct, embedded or cluster:N");
                        yield cluster(upstream, Integer.parseInt(t.substring("cluster:".length())));
                    }
                });
                System.err.println("cluster-load: " + row(rows.getLast()));
            }
        }
        String table = table(rows) + "\nLoad average (1, 5, 15 min) at the start: " + loadBefore + "; at the end: "
                + loadAverage() + " (above the core count, latencies are inflated by other work).\n";
        System.out.println(table);
        if (!"none".equals(results)) {
            Path dir = results != null ? Path.of(results) : repo.resolve("bench/results");
            Files.createDirectories(dir);
            Path out = dir.resolve("cluster-load-" + LocalDate.now() + ".md");
            Files.writeString(out, "# Create load: gateway vs upstream stand-in\n\n" + table + "\n");
            System.err.println("cluster-load: wrote " + out);
        }
        return 0;
    }

    private String upstreamYaml(StandIn upstream) {
        return """
                providers:
                  agg: {type: openai, base_url: '%s/v1', api_key_env: FRAMEGATE_BENCH_UPSTREAM_KEY}
                routes:
                  sora-2: [{channel: agg, allow_retired: true}]
                timing: {poll_initial: 100ms, poll_max: 500ms, request_timeout: 30s}
                limits: {max_queued_jobs: 0}
                """.formatted(upstream.base());
    }

    private Figures embedded(StandIn upstream) throws Exception {
        Path dir = Files.createTempDirectory("framegate-cluster-load-");
        Path config = dir.resolve("framegate.yaml");
        Files.writeString(config, upstreamYaml(upstream));
        int port = freePort();
        List<String> cmd = new ArrayList<>(List.of(javaBin(), "-Xmx512m", "--sun-misc-unsafe-memory-access=allow",
                "--enable-native-access=ALL-UNNAMED"));
        if (!javaOpts.isBlank()) cmd.addAll(Arrays.asList(javaOpts.trim().split("\\s+")));
        cmd.addAll(List.of("-jar", repo.resolve("app/target/framegate.jar").toString(), "serve", "--host", "127.0.0.1",
                "--port", String.valueOf(port), "--data", dir.resolve("data").toString(), "--config", config.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("serve.log").toFile());
        pb.environment().put("FRAMEGATE_ADMIN_TOKEN", ADMIN_TOKEN);
        pb.environment().put("FRAMEGATE_BENCH_UPSTREAM_KEY", UPSTREAM_KEY);
        Process p = pb.start();
        try {
            String base = "http://127.0.0.1:" + port;
            awaitUp(base, p, dir.resolve("serve.log"));
            return load("embedded (H2 + local disk)", List.of(base + "/v1/videos"), createKey(base), List.of(p.pid()),
                    drain ? base : null);
        } finally {
            p.destroy();
            if (!p.waitFor(60, TimeUnit.SECONDS)) p.destroyForcibly().waitFor();
            deleteTree(dir);
        }
    }

    private Figures cluster(StandIn upstream, int n) throws Exception {
        Path dir = Files.createTempDirectory("framegate-cluster-load-");
        Path extra = dir.resolve("extra.yaml");
        Files.writeString(extra, upstreamYaml(upstream));
        Path clusterDir = dir.resolve("cluster");
        String up = script(clusterDir, extra, "up", String.valueOf(n));
        try {
            List<String> urls = new ArrayList<>();
            List<Long> pids = new ArrayList<>();
            Matcher m = INSTANCE.matcher(up);
            while (m.find()) {
                urls.add(m.group(1) + "/v1/videos");
                pids.add(Long.parseLong(m.group(2)));
            }
            Matcher k = API_KEY.matcher(up);
            if (urls.size() != n || !k.find()) throw new IllegalStateException("unexpected output of local-cluster.sh up:\n" + up);
            return load("cluster of " + n + " (PostgreSQL + s3proxy)", urls, k.group(1), pids, null);
        } finally {
            script(clusterDir, extra, "down");
            deleteTree(dir);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var all = Files.walk(dir)) {
            for (Path f : all.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
        }
    }

    private String script(Path clusterDir, Path extra, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(repo.resolve("deploy/local-cluster.sh").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("FRAMEGATE_CLUSTER_DIR", clusterDir.toString());
        pb.environment().put("FRAMEGATE_CLUSTER_PORT", "18480");
        pb.environment().put("FRAMEGATE_CLUSTER_CONFIG_EXTRA", extra.toString());
        pb.environment().put("FRAMEGATE_CLUSTER_JAVA_OPTS", javaOpts);
        pb.environment().put("FRAMEGATE_BENCH_UPSTREAM_KEY", UPSTREAM_KEY);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IllegalStateException("local-cluster.sh " + String.join(" ", args) + " failed:\n" + out);
        return out;
    }

    /**
     * {@code warmup} creates, then {@code creates} timed ones, {@code concurrency} at once, round-robin over {@code urls};
     * the CPU time of the processes {@code pids} (the instances) is read around the timed creates. It is less sensitive
     * to other load on the machine than latency, but includes the instances' background work meanwhile (polling the
     * stand-in and storing the results of the jobs created).
     */
    Figures load(String name, List<String> urls, String key, List<Long> pids, String drainBase) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
        run(http, urls, key, warmup, new long[warmup], new AtomicInteger());
        long[] nanos = new long[creates];
        AtomicInteger failed = new AtomicInteger();
        // with --drain, the warm-up's jobs still queued or running are counted in the per-job figure
        unfinishedAtStart = drainBase == null ? 0 : Math.max(0, unfinishedJobs(drainBase));
        long cpuBefore = ProcessCpu.totalMillis(pids);
        long requestBefore = ProcessCpu.requestThreadMillis(pids);
        long start = System.nanoTime();
        run(http, urls, key, creates, nanos, failed);
        double seconds = (System.nanoTime() - start) / 1e9;
        long cpuAfter = ProcessCpu.totalMillis(pids);
        long requestAfter = ProcessCpu.requestThreadMillis(pids);
        long[] ok = Arrays.stream(nanos).filter(v -> v > 0).sorted().toArray();
        double cpuPerCreate = pids.isEmpty() || cpuBefore < 0 || cpuAfter < 0 || ok.length == 0 ? -1
                : (cpuAfter - cpuBefore) / (double) ok.length;
        double requestPerCreate = pids.isEmpty() || requestBefore < 0 || requestAfter < 0 || ok.length == 0 ? -1
                : (requestAfter - requestBefore) / (double) ok.length;
        double perJob = -1;
        double drainSeconds = -1;
        if (drainBase != null && cpuBefore >= 0 && ok.length > 0) {
            long drainStart = System.nanoTime();
            if (awaitNoUnfinishedJobs(drainBase, Duration.ofMinutes(15))) {
                drainSeconds = (System.nanoTime() - drainStart) / 1e9;
                long cpuDrained = ProcessCpu.totalMillis(pids);
                // the warm-up's jobs ended meanwhile too: per job of warm-up and timed creates (their creates' own
                // CPU came before cpuBefore, so this understates a job by up to a create's share, about 2 of 75 ms)
                if (cpuDrained >= 0) perJob = (cpuDrained - cpuBefore) / (double) (ok.length + unfinishedAtStart);
            }
        }
        return new Figures(name, ok.length, failed.get(), seconds, pct(ok, 0.50), pct(ok, 0.99),
                ok.length == 0 ? 0 : ok[ok.length - 1] / 1e6, cpuPerCreate, requestPerCreate, perJob, drainSeconds);
    }

    private long unfinishedAtStart;

    /** Jobs queued or in progress on the instance at {@code base}, from its {@code /metrics} (admin token); -1 unknown. */
    private static long unfinishedJobs(String base) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/metrics"))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) return -1;
        Matcher m = Pattern.compile("(?m)^framegate_jobs\\{[^}]*state=\"(queued|in_progress)\"[^}]*} ([0-9.eE+]+)$").matcher(r.body());
        long n = 0;
        while (m.find()) n += (long) Double.parseDouble(m.group(2));
        return n;
    }

    /** Waits until no job is queued or in progress on the instance (checked every 200 ms); false after {@code max}. */
    private static boolean awaitNoUnfinishedJobs(String base, Duration max) throws Exception {
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline) {
            if (unfinishedJobs(base) == 0) return true;
            Thread.sleep(200);
        }
        System.err.println("cluster-load: jobs still unfinished after " + max + "; no per-job figure");
        return false;
    }

    private void run(HttpClient http, List<String> urls, String key, int total, long[] nanos, AtomicInteger failed) throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicLong firstError = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < concurrency; w++) {
                workers.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < total; i = next.getAndIncrement()) {
                        String body = "{\"model\":\"sora-2\",\"prompt\":\"load " + i + "\",\"seconds\":\"4\",\"size\":\"1280x720\"}";
                        HttpRequest req = HttpRequest.newBuilder(URI.create(urls.get(i % urls.size())))
                                .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + key)
                                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
                        long t = System.nanoTime();
                        try {
                            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() == 200) {
                                nanos[i] = System.nanoTime() - t;
                            } else {
                                failed.incrementAndGet();
                                if (firstError.compareAndSet(0, 1)) System.err.println("cluster-load: " + r.statusCode() + " " + r.body());
                            }
                        } catch (IOException e) {
                            failed.incrementAndGet();
                            if (firstError.compareAndSet(0, 1)) System.err.println("cluster-load: " + e);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : workers) f.get();
        } finally {
            pool.shutdownNow();
        }
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }

    static double pct(long[] sorted, double q) {
        if (sorted.length == 0) return 0;
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }

    static String row(Figures f) {
        return String.format(Locale.ROOT, "| %s | %d | %d | %.0f | %.1f | %.1f | %.1f | %s | %s | %s | %s |", f.target(), f.ok(),
                f.failed(), f.rate(), f.p50(), f.p99(), f.max(), ms(f.cpuMillisPerCreate()), ms(f.requestCpuMillisPerCreate()),
                ms(f.cpuMillisPerEndedJob()), f.drainSeconds() < 0 ? "-" : String.format(Locale.ROOT, "%.1f", f.drainSeconds()));
    }

    private static String ms(double v) {
        return v < 0 ? "-" : String.format(Locale.ROOT, "%.2f", v);
    }

    String table(List<Figures> rows) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
                "%d creates per target at concurrency %d after %d uncounted (sora-2, 4 s, no image; %d cores)%n%n",
                creates, concurrency, warmup, Runtime.getRuntime().availableProcessors()));
        b.append("| target | ok | failed | creates/s | p50 ms | p99 ms | max ms | instance CPU ms/create "
                + "| request threads' CPU ms/create | instance CPU ms/job, create to end (--drain) | drain s |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Figures f : rows) b.append(row(f)).append('\n');
        Figures direct = rows.stream().filter(f -> f.target().equals("direct")).findFirst().orElse(null);
        if (direct != null) {
            b.append("\nWhat the gateway adds on a create (its p50/p99 minus the stand-in's direct p50/p99):\n\n");
            for (Figures f : rows) {
                if (f == direct) continue;
                b.append(String.format(Locale.ROOT, "- %s: +%.1f ms p50, +%.1f ms p99%n", f.target(),
                        f.p50() - direct.p50(), f.p99() - direct.p99()));
            }
        }
        return b.toString();
    }

    private static String createKey(String base) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/admin/v1/keys"))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"cluster-load\"}")).build(), HttpResponse.BodyHandlers.ofString());
        Matcher m = Pattern.compile("\"secret\"\\s*:\\s*\"([^\"]+)\"").matcher(r.body());
        if (r.statusCode() != 201 || !m.find()) throw new IllegalStateException("cannot create a key: " + r.statusCode() + " " + r.body());
        return m.group(1);
    }

    private static void awaitUp(String base, Process p, Path log) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(base + "/healthz")).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200) return;
            } catch (IOException notYet) {
                if (!p.isAlive()) throw new IllegalStateException("serve exited:\n" + Files.readString(log));
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("serve did not answer within 2 minutes; log: " + log);
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
