package io.framegate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.framegate.cli.TestCluster.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 10, "Tests and figures": three {@code serve} processes on one real PostgreSQL and one S3 bucket (s3proxy),
 * an OpenAI-compatible upstream stand-in at the wire ({@link VideosStandIn}), and what kill -9 and SIGSTOP of one
 * instance must not do: lose a job, submit a paid job twice, settle money twice, or let a paused attempt write over
 * the job another instance took. Black box: only HTTP (client, admin API, the stand-in's view) and processes.
 * The lease is the default 30 s, so each takeover waits for it. Skipped without {@code FRAMEGATE_TEST_PG_URL}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterKillTest {
    static final Pattern RUNNING = Pattern.compile("(?m)^framegate_jobs_running\\{[^}]*lane=\"(\\w+)\"[^}]*} ([0-9.]+)");

    Path dir;
    VideosStandIn upstream;
    TestCluster cluster;
    byte[] otherVideo;
    String imageUrl;

    @BeforeAll
    void cluster(@TempDir Path tmp) throws Exception {
        dir = tmp;
        TestCluster.pgUrl(); // skip before building anything when there is no PostgreSQL
        byte[] video = render(Color.ORANGE, "a");
        otherVideo = render(Color.BLUE, "b");
        assertThat(otherVideo).isNotEqualTo(video);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(KillNineTest.image(64, 48, Color.GREEN), "png", png);
        imageUrl = "data:image/png;base64," + Base64.getEncoder().encodeToString(png.toByteArray());
        upstream = new VideosStandIn(video, Duration.ofSeconds(1));
        // a long request timeout: a paused instance's call timers must not fire the moment it resumes
        cluster = new TestCluster(Files.createDirectories(dir.resolve("cluster")), 3, upstream.baseUrl(), """
                timing: {poll_initial: 200ms, poll_max: 500ms, deadline: 10m, retry_attempts: 2, retry_base: 50ms,
                         retry_max: 100ms, request_timeout: 120s}
                workers: {local: 1, cloud: 16, max_attempts: 5}
                """);
        cluster.startAll();
        log("cluster up");
    }

    byte[] render(Color color, String name) throws Exception {
        Path first = dir.resolve(name + ".png");
        ImageIO.write(KillNineTest.image(96, 54, color), "png", first.toFile());
        Path video = dir.resolve(name + ".mp4");
        CliRun made = CliRun.of("generate", "--first", first.toString(), "--size", "96x54", "--num-frames", "6",
                "-o", video.toString());
        assertThat(made.code()).as(made.err()).isEqualTo(0);
        return Files.readAllBytes(video);
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (cluster != null) cluster.close();
        } finally {
            if (upstream != null) upstream.close();
        }
    }

    /** Every test leaves the three instances running (a killed one is started again). */
    @AfterEach
    void allRunning() throws Exception {
        cluster.extraFor.clear();
        upstream.finish();
        for (int i = 1; i <= cluster.size(); i++) {
            ServerProcess s = cluster.instance(i);
            if (s == null || !s.process.isAlive()) cluster.start(i);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    /**
     * 60 jobs (30 local renders, 30 stand-in upstream jobs) created round-robin on three instances; once every upstream
     * job is submitted and checkpointed (the stand-in saw its first poll), instance 2 is killed with -9 while it runs
     * jobs. Every job completes, exactly once (one reservation and one capture in its ledger), the stand-in saw exactly
     * one submit per upstream job and none for a local one, instance 2's upstream jobs were finished by the others
     * from their checkpoints, every result downloads byte-identical from both survivors and the restarted instance 2
     * (and an upstream result is the stand-in's video), every result is an object of the bucket, and nothing but the
     * documented scratch is left in the instances' data directories.
     */
    @Test
    void killNineOfOneOfThreeInstancesLosesNoJobRepeatsNoSubmitAndEveryResultIsServedByEveryInstance() throws Exception {
        String key = cluster.createKey("kill9-" + TestCluster.hex(3), "");
        String run = TestCluster.hex(3);
        upstream.holdCompletions(); // every upstream job is still running when instance 2 dies
        Map<String, String> tokens = new java.util.concurrent.ConcurrentHashMap<>(); // job id -> token
        Map<String, Boolean> isCloud = new java.util.concurrent.ConcurrentHashMap<>();
        try (var clients = java.util.concurrent.Executors.newFixedThreadPool(6)) {
            List<java.util.concurrent.Future<?>> creates = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                int n = i, on = 1 + i % 3;
                boolean cloud = i % 2 == 1;
                creates.add(clients.submit(() -> {
                    String token = "job-k9-" + run + "-" + n;
                    String id = cloud ? createCloud(on, key, token) : createLocal(on, key, token);
                    tokens.put(id, token);
                    isCloud.put(id, cloud);
                    return null;
                }));
            }
            for (var c : creates) c.get();
        }
        log("60 jobs created");
        List<String> cloudTokens = tokens.keySet().stream().filter(isCloud::get).map(tokens::get).toList();
        await("every upstream job submitted and polled once (its handle stored)", Duration.ofSeconds(90), () ->
                cloudTokens.stream().allMatch(t -> upstream.submitsOf(t).stream().anyMatch(s -> !upstream.pollsOf(s.upstreamId()).isEmpty())));
        log("every upstream job submitted and polled");
        List<VideosStandIn.Submit> onTwo = upstream.submits.stream()
                .filter(s -> s.instance() == 2 && cloudTokens.contains(s.token())).toList();
        assertThat(onTwo).as("instance 2 runs upstream jobs when it is killed").isNotEmpty();
        // best effort: also catch instance 2 inside a local render (the metric may be absent; the kill comes anyway)
        awaitQuietly(Duration.ofSeconds(15), () -> running(2, "local") != 0);
        assertThat(statuses(1).entrySet().stream().filter(e -> tokens.containsKey(e.getKey())
                && !e.getValue().equals("completed")).count()).as("jobs still open at the kill").isPositive();
        cluster.instance(2).kill9();
        upstream.finish();
        log("killed instance 2");
        Map<String, String> finals = awaitFinal(1, tokens.keySet(), Duration.ofSeconds(150));
        log("all final");
        assertThat(finals).as("every job completed").allSatisfy((id, st) -> assertThat(st).as(id).isEqualTo("completed"));
        assertOnlyScratchOnLocalDisks(List.of(1, 3)); // the survivors cleaned up after every job they ran
        // the killed instance left its attempts' scratch; its next start sweeps it once older than orphan_age (docs/config.md)
        cluster.extraFor.put(2, "retention: {sweep_interval: 2s, orphan_age: 2s}\n");
        cluster.start(2);
        log("restarted instance 2");

        List<String> problems = new ArrayList<>();
        int takenOver = 0;
        for (Map.Entry<String, String> job : tokens.entrySet()) {
            String id = job.getKey(), token = job.getValue();
            List<VideosStandIn.Submit> submits = upstream.submitsOf(token);
            if (isCloud.get(id) && submits.size() != 1) problems.add(id + " (" + token + "): " + submits.size() + " upstream submits");
            if (!isCloud.get(id) && !submits.isEmpty()) problems.add(id + " (local) was sent upstream");
            JsonNode view = cluster.admin(1, "GET", "/admin/v1/jobs/" + id, null).json();
            List<String> kinds = new ArrayList<>();
            view.path("ledger").forEach(e -> kinds.add(e.path("kind").asText()));
            if (!kinds.equals(List.of("reserve", "capture"))) problems.add(id + ": ledger " + kinds + " (want one reserve, one capture)");
            if (isCloud.get(id) && submits.size() == 1 && submits.get(0).instance() == 2) {
                List<Integer> polls = upstream.pollsOf(submits.get(0).upstreamId());
                if (polls.stream().noneMatch(p -> p != 2)) problems.add(id + ": killed on instance 2 but no other instance polled it " + polls);
                // no attempt count here: a job waiting on its upstream is taken over by a poll claim, which counts none
                takenOver++;
            }
            byte[] first = null;
            for (int i = 1; i <= 3; i++) {
                HttpResponse<byte[]> got = TestCluster.download(cluster.instance(i).base() + "/v1/videos/" + id + "/content", key);
                if (got.statusCode() != 200) {
                    problems.add(id + ": content from instance " + i + " answered " + got.statusCode());
                    continue;
                }
                if (first == null) first = got.body();
                else if (!Arrays.equals(first, got.body())) problems.add(id + ": instance " + i + " serves other bytes");
            }
            if (first != null && isCloud.get(id) && !Arrays.equals(first, upstream.video())) problems.add(id + ": not the upstream's video");
            if (first != null && !bucketHolds(id, first)) problems.add(id + ": the video is no object of the bucket");
        }
        log("checked results");
        assertThat(problems).as(cluster.logs()).isEmpty();
        assertThat(takenOver).isEqualTo(onTwo.size());
        awaitQuietly(Duration.ofSeconds(30), () -> TestCluster.filesUnder(cluster.dataDir(2)).equals(List.of("server.json")));
        assertOnlyScratchOnLocalDisks(List.of(1, 2, 3));
    }

    /**
     * A job of a budgeted key is running on the instance that submitted it (checkpointed: the stand-in saw a poll)
     * when that instance is killed with -9; while nobody holds it the key still has exactly its price reserved; another
     * instance finishes it from its checkpoint; the reservation is settled once: the job's ledger is one reserve and one
     * capture, the key has nothing reserved and spent the job's cost, and its ledger sums to budget - spent.
     */
    @Test
    void aBudgetedJobKilledMidRunIsSettledExactlyOnceByTheInstanceThatFinishesIt() throws Exception {
        String name = "money-" + TestCluster.hex(3);
        String key = cluster.createKey(name, "\"budget_usd\": \"1.00\"");
        String token = "job-money-" + TestCluster.hex(3);
        upstream.holdCompletions();
        String id = createCloud(3, key, token);
        await("the upstream job submitted and polled", Duration.ofSeconds(60), () ->
                upstream.submitsOf(token).stream().anyMatch(s -> !upstream.pollsOf(s.upstreamId()).isEmpty()));
        VideosStandIn.Submit submit = upstream.submitsOf(token).get(0);
        int victim = submit.instance(), other = victim == 1 ? 2 : 1;
        cluster.instance(victim).kill9();
        upstream.finish();
        JsonNode held = cluster.admin(other, "GET", "/admin/v1/keys/" + name, null).json();
        long price = 400_000; // sora-2, 4 s at 720p: $0.10/s
        assertThat(held.path("reserved_micros").asLong()).as("reserved while nobody runs it: %s", held).isEqualTo(price);
        assertThat(held.path("spent_micros").asLong()).isZero();

        Map<String, String> finals = awaitFinal(other, List.of(id), Duration.ofSeconds(120));
        assertThat(finals.get(id)).as(cluster.logs()).isEqualTo("completed");
        assertThat(upstream.submitsOf(token)).hasSize(1);
        assertThat(upstream.pollsOf(submit.upstreamId())).as("finished by another instance").anyMatch(p -> p != victim);

        JsonNode job = cluster.admin(other, "GET", "/admin/v1/jobs/" + id, null).json();
        // a waiting job is taken over by another instance's poll claim, which counts no attempt: the polls above prove it
        List<JsonNode> ledger = new ArrayList<>();
        job.path("ledger").forEach(ledger::add);
        assertThat(ledger).as("%s", job).extracting(e -> e.path("kind").asText()).containsExactly("reserve", "capture");
        long cost = ledger.get(1).path("cost_micros").asLong();
        assertThat(ledger.get(0).path("amount_micros").asLong()).isEqualTo(-price);
        assertThat(ledger.get(1).path("amount_micros").asLong()).isEqualTo(price - cost);
        assertThat(cost).isBetween(1L, price);

        JsonNode after = cluster.admin(other, "GET", "/admin/v1/keys/" + name, null).json();
        assertThat(after.path("reserved_micros").asLong()).as("%s", after).isZero();
        assertThat(after.path("spent_micros").asLong()).isEqualTo(cost);
        assertThat(after.path("active_jobs").asInt()).isZero();
        JsonNode keyLedger = cluster.admin(other, "GET", "/admin/v1/ledger?key=" + after.path("id").asText() + "&limit=1000", null).json();
        long sum = 0;
        for (JsonNode e : keyLedger.path("data")) sum += e.path("amount_micros").asLong();
        assertThat(sum).as("the key's ledger sums to budget - spent - reserved: %s", keyLedger).isEqualTo(1_000_000 - cost);
    }

    /**
     * The instance running an upstream job is frozen with SIGSTOP while it downloads the finished video (the stand-in
     * holds that download back); past its 30 s lease another instance takes the job over, downloads its own variant of
     * the video (the stand-in serves each instance different bytes) and completes it. Then the paused instance gets its
     * video and SIGCONT: it must write nothing over the taker's job. Status, completion time, notes, attempts (2),
     * ledger (one capture) and the result bytes on every instance and in the bucket stay the taker's.
     */
    @Test
    void aPausedInstanceThatLostItsLeaseDoesNotWriteOverTheJobAnotherInstanceTook() throws Exception {
        String key = cluster.createKey("lease-" + TestCluster.hex(3), "\"budget_usd\": \"1.00\"");
        String token = "job-lease-" + TestCluster.hex(3);
        VideosStandIn.Hold hold = upstream.holdFirstDownload(token, otherVideo); // the paused one gets other bytes
        String id = createCloud(1, key, token);
        assertThat(hold.started.await(60, TimeUnit.SECONDS)).as("an instance downloads the finished video").isTrue();
        int paused = hold.instance;
        VideosStandIn.Submit submit = upstream.submitsOf(token).get(0);
        // polls made before the pause (another instance's poller may have found the video finished) are not a takeover
        int pollsBefore = upstream.pollsOf(submit.upstreamId()).size();
        cluster.instance(paused).pause();
        try {
            await("another instance takes the job over after the lease", Duration.ofSeconds(90), () ->
                    upstream.pollsOf(submit.upstreamId()).stream().skip(pollsBefore).anyMatch(p -> p != paused));
            int taker = upstream.pollsOf(submit.upstreamId()).stream().skip(pollsBefore).filter(p -> p != paused)
                    .findFirst().orElseThrow();
            assertThat(awaitFinal(taker, List.of(id), Duration.ofSeconds(60)).get(id)).as(cluster.logs()).isEqualTo("completed");
            JsonNode before = cluster.admin(taker, "GET", "/admin/v1/jobs/" + id, null).json();
            byte[] stored = TestCluster.download(cluster.instance(taker).base() + "/v1/videos/" + id + "/content", key).body();
            assertThat(stored).as("the taker's video").isEqualTo(upstream.video());
            Map<String, byte[]> objects = bucketObjects(id);

            hold.release.countDown();
            cluster.instance(paused).resume();
            assertThat(hold.served.await(60, TimeUnit.SECONDS)).as("the paused instance got its video").isTrue();
            // the resumed attempt has ended when its instance runs nothing any more (or, without the metric, after a while)
            awaitQuietly(Duration.ofSeconds(30), () -> running(paused, "cloud") == 0);
            Thread.sleep(2000);

            JsonNode after = cluster.admin(taker, "GET", "/admin/v1/jobs/" + id, null).json();
            assertThat(after.path("status").asText()).isEqualTo("completed");
            assertThat(after.path("attempts").asInt()).as("%s", after).isEqualTo(2);
            assertThat(after.path("completed_at")).isEqualTo(before.path("completed_at"));
            assertThat(after.path("notes")).isEqualTo(before.path("notes"));
            assertThat(after.path("ledger")).isEqualTo(before.path("ledger"));
            List<String> kinds = new ArrayList<>();
            after.path("ledger").forEach(e -> kinds.add(e.path("kind").asText()));
            assertThat(kinds).containsExactly("reserve", "capture");
            for (int i = 1; i <= 3; i++) {
                HttpResponse<byte[]> got = TestCluster.download(cluster.instance(i).base() + "/v1/videos/" + id + "/content", key);
                assertThat(got.statusCode()).isEqualTo(200);
                assertThat(got.body()).as("result served by instance %d", i).isEqualTo(upstream.video());
            }
            assertThat(bucketObjects(id)).as("the bucket's objects of the job").containsOnlyKeys(objects.keySet())
                    .allSatisfy((k, v) -> assertThat(v).as(k).isEqualTo(objects.get(k)));
            assertThat(cluster.instance(paused).process.isAlive()).isTrue();
        } finally {
            hold.release.countDown();
            if (cluster.instance(paused).process.isAlive()) cluster.instance(paused).resume();
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    String createLocal(int instance, String key, String token) throws Exception {
        return created(TestCluster.send(cluster.instance(instance).base() + "/v1/videos", key, "POST",
                "{\"model\":\"framegate-local\",\"prompt\":\"" + token + "\",\"size\":\"64x48\",\"seconds\":\"1\","
                        + "\"input_reference\":{\"image_url\":\"" + imageUrl + "\"}}", null));
    }

    String createCloud(int instance, String key, String token) throws Exception {
        return created(TestCluster.send(cluster.instance(instance).base() + "/v1/videos", key, "POST",
                "{\"model\":\"sora-2\",\"prompt\":\"" + token + "\",\"seconds\":\"4\",\"size\":\"1280x720\"}", null));
    }

    static String created(Reply r) throws Exception {
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.json().path("id").asText();
    }

    /** Status of every job (admin list of instance {@code i}). */
    Map<String, String> statuses(int i) throws Exception {
        Reply r = cluster.admin(i, "GET", "/admin/v1/jobs?limit=1000", null);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        Map<String, String> m = new HashMap<>();
        for (JsonNode j : r.json().path("data")) m.put(j.path("id").asText(), j.path("status").asText());
        return m;
    }

    Map<String, String> awaitFinal(int i, java.util.Collection<String> ids, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        Map<String, String> mine = new LinkedHashMap<>();
        while (true) {
            Map<String, String> all = statuses(i);
            mine.clear();
            for (String id : ids) mine.put(id, all.get(id));
            boolean done = mine.values().stream().allMatch(s -> s != null && !s.equals("queued") && !s.equals("in_progress"));
            if (done) return mine;
            if (System.nanoTime() > deadline) {
                throw new AssertionError("jobs not final within " + within + ": " + mine + cluster.logs());
            }
            Thread.sleep(250);
        }
    }

    /** This instance's {@code framegate_jobs_running} of a lane, or -1 when it does not report it. */
    int running(int i, String lane) {
        try {
            Reply r = cluster.admin(i, "GET", "/metrics", null);
            Matcher m = RUNNING.matcher(r.body());
            while (m.find()) if (m.group(1).equals(lane)) return (int) Double.parseDouble(m.group(2));
        } catch (Exception e) {
            // not reachable: unknown
        }
        return -1;
    }

    void await(String what, Duration within, BooleanSupplier condition) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within " + within + ": " + what + cluster.logs());
            Thread.sleep(50);
        }
    }

    final long t0 = System.nanoTime();

    void log(String what) {
        System.err.printf("ClusterKillTest +%.1fs %s%n", (System.nanoTime() - t0) / 1e9, what);
    }

    static void awaitQuietly(Duration within, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) Thread.sleep(50);
    }

    /** The job's objects in the bucket (s3proxy's filesystem store), by name. */
    Map<String, byte[]> bucketObjects(String id) throws Exception {
        Map<String, byte[]> m = new HashMap<>();
        Path jobDir = cluster.bucketDir().resolve(id);
        for (String f : TestCluster.filesUnder(jobDir)) m.put(f, Files.readAllBytes(jobDir.resolve(f)));
        return m;
    }

    boolean bucketHolds(String id, byte[] bytes) throws Exception {
        return bucketObjects(id).values().stream().anyMatch(b -> Arrays.equals(b, bytes));
    }

    /**
     * With S3 storage an instance's data directory holds scratch only (docs: render work files, upload spill files)
     * and its {@code server.json}: no video, no input image, no database file, once the jobs ended.
     */
    void assertOnlyScratchOnLocalDisks(List<Integer> which) throws Exception {
        Map<Integer, List<String>> found = new LinkedHashMap<>();
        for (int i : which) {
            List<String> files = new ArrayList<>(TestCluster.filesUnder(cluster.dataDir(i)));
            files.remove("server.json");
            if (!files.isEmpty()) found.put(i, files);
        }
        assertThat(found).as("files left in the instances' data directories").isEmpty();
    }
}
