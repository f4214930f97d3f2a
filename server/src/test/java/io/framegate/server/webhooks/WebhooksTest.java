package io.framegate.server.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.Headers;
import com.openai.models.webhooks.UnwrapWebhookEvent;
import com.openai.models.webhooks.WebhookVerificationParams;
import com.sun.net.httpserver.HttpServer;
import io.framegate.domain.GenerationRequest;
import io.framegate.domain.ImageRole;
import io.framegate.server.FramegateServer;
import io.framegate.server.ServerOptions;
import io.framegate.server.TestClock;
import io.framegate.server.TestImages;
import io.framegate.server.TinyVideoBackend;
import io.framegate.server.jobs.Job;
import io.framegate.server.jobs.WorkerSettings;
import io.framegate.server.media.MediaFinisher;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.awt.Color;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Webhooks end to end: a real receiver (the JDK's HTTP server) gets a signed delivery that the official OpenAI Java
 * SDK's {@code webhooks().unwrap} verifies (and a check written from the Standard Webhooks spec); a failing receiver
 * is retried with growing waits on a virtual clock until it accepts, or given up; private targets are refused unless
 * allowed.
 */
class WebhooksTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String ADMIN = "test-admin-token-0123456789abcdef";

    @TempDir
    Path dir;
    /** The default schedule with the background round hourly, so that a test runs the rounds by hand; private targets allowed. */
    static final WebhookSettings ROUNDS_BY_HAND = new WebhookSettings(Duration.ofHours(1), Duration.ofSeconds(10),
            Duration.ofHours(6), Duration.ofHours(72), Duration.ofSeconds(10), Duration.ofSeconds(60), 0.4, true);
    FramegateServer server;
    TinyVideoBackend backend;
    final List<HttpServer> receivers = new ArrayList<>();
    /** The sockets of {@link #silentReceiver}s: closed after the test. */
    final List<java.io.Closeable> sockets = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() throws Exception {
        if (server != null) server.close();
        receivers.forEach(r -> r.stop(0));
        for (java.io.Closeable c : sockets) c.close();
    }

    record Received(Map<String, String> headers, String body) {
    }

    /** A receiver on 127.0.0.1 answering each request with the next status of {@code statuses} (the last repeats). */
    String receiver(List<Received> got, int... statuses) throws Exception {
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        AtomicInteger n = new AtomicInteger();
        http.createContext("/hook", ex -> {
            Map<String, String> h = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            ex.getRequestHeaders().forEach((k, v) -> h.put(k, v.getFirst()));
            got.add(new Received(h, new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            int status = statuses[Math.min(n.getAndIncrement(), statuses.length - 1)];
            ex.sendResponseHeaders(status, -1);
            ex.close();
        });
        http.start();
        receivers.add(http);
        return "http://127.0.0.1:" + http.getAddress().getPort() + "/hook";
    }

    /** A receiver on 127.0.0.1 that takes every connection (and so the POST sent on it) but never answers. */
    String silentReceiver(AtomicInteger connections) throws Exception {
        java.net.ServerSocket listener = new java.net.ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        sockets.add(listener);
        Thread accept = new Thread(() -> {
            try {
                while (true) {
                    sockets.add(listener.accept());
                    connections.incrementAndGet();
                }
            } catch (java.io.IOException closed) {
                // the test is over
            }
        }, "silent-webhook-receiver");
        accept.setDaemon(true);
        accept.start();
        return "http://127.0.0.1:" + listener.getLocalPort() + "/hook";
    }

    void start(WebhookSettings settings, java.time.Clock clock) throws Exception {
        start(settings, clock, 0);
    }

    /** @param millisPerFrame how slowly the local test backend renders (to catch a job while it runs) */
    void start(WebhookSettings settings, java.time.Clock clock, long millisPerFrame) throws Exception {
        ServerOptions o = ServerOptions.defaults(dir).withHost("127.0.0.1").withPort(0).withAccessLog(null)
                .withWorkers(new WorkerSettings(1, 2, Duration.ofSeconds(30), Duration.ofMillis(100), Duration.ofSeconds(5)));
        backend = new TinyVideoBackend("local", true, millisPerFrame);
        FramegateServer.Builder b = FramegateServer.builder(o).environment(Map.of("FRAMEGATE_ADMIN_TOKEN", ADMIN)::get)
                .localBackend(backend).finisher(new MediaFinisher()).clock(clock);
        if (settings != null) b.webhookSettings(settings);
        server = b.build().start();
    }

    HttpResponse<String> admin(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Authorization", "Bearer " + ADMIN).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A request to the OpenAI surface with an API key. */
    HttpResponse<String> api(String method, String path, String key, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A local job created over HTTP with {@code key}; its id. */
    String createOverHttp(String key, int seconds) throws Exception {
        String body = "{\"model\":\"framegate-local\",\"size\":\"64x48\",\"seconds\":\"" + seconds + "\",\"input_reference\":"
                + "{\"image_url\":\"data:image/png;base64," + Base64.getEncoder().encodeToString(TestImages.png(64, 48, Color.BLUE))
                + "\"}}";
        HttpResponse<String> r = api("POST", "/v1/videos", key, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).path("id").asText();
    }

    JsonNode addEndpoint(String key, String url, String events) throws Exception {
        HttpResponse<String> r = admin("POST", "/admin/v1/webhooks", "{\"key\":\"" + key + "\",\"url\":\"" + url + "\""
                + (events == null ? "" : ",\"events\":" + events) + "}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return JSON.readTree(r.body());
    }

    static void await(List<?> list, int size) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (list.size() < size && System.nanoTime() < deadline) Thread.sleep(20);
        assertThat(list).hasSizeGreaterThanOrEqualTo(size);
    }

    /** The job's deliveries as the admin API lists them (its {@code data}). */
    JsonNode deliveries(String jobId) throws Exception {
        return JSON.readTree(admin("GET", "/admin/v1/webhooks/deliveries?job=" + jobId, null).body()).path("data");
    }

    /**
     * The job's delivery log once it has {@code size} deliveries and none is still pending: a receiver has the request
     * before the deliverer has written down its answer, so a log read right after the receiver saw it can still say
     * pending (a test failed so under load).
     */
    JsonNode settledLog(String jobId, int size) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            JsonNode log = deliveries(jobId);
            boolean pending = false;
            for (JsonNode d : log) pending |= d.path("status").asText().equals("pending");
            if ((log.size() >= size && !pending) || System.nanoTime() > deadline) return log;
            Thread.sleep(20);
        }
    }

    /** A tiny local job of the key, once it has ended (its webhook deliveries are then written). */
    Job endedJob(String keyId) throws Exception {
        GenerationRequest req = GenerationRequest.builder().model("framegate-local").prompt("p").size("64x48").numFrames(3)
                .fps(12).image(ImageRole.FIRST_FRAME, TestImages.png(64, 48, Color.BLUE), "image/png", "f.png").build();
        Job job = server.jobs().submit(keyId, "openai", req, null);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!server.jobs().get(keyId, job.id()).orElseThrow().status().isFinal() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(server.jobs().get(keyId, job.id()).orElseThrow().status().isFinal()).as("the job ended within 60 s").isTrue();
        return job;
    }

    @Test
    void aCompletedJobIsDeliveredSignedSoTheOpenAiSdkVerifiesIt() throws Exception {
        start(WebhookSettings.DEFAULTS.withAllowPrivate(true).withPoll(Duration.ofMillis(50)), java.time.Clock.systemUTC());
        List<Received> got = new CopyOnWriteArrayList<>();
        String url = receiver(got, 200);
        String keyName = "app";
        String keyId = server.keys().find(server.keys().create(keyName).secret()).orElseThrow().id();
        JsonNode endpoint = addEndpoint(keyId, url, null);
        String secret = endpoint.path("secret").asText();
        assertThat(secret).startsWith("whsec_");
        assertThat(endpoint.path("events")).hasSize(4);

        GenerationRequest req = GenerationRequest.builder().model("framegate-local").prompt("p").size("64x48").numFrames(3)
                .fps(12).image(ImageRole.FIRST_FRAME, TestImages.png(64, 48, Color.BLUE), "image/png", "f.png").build();
        Job job = server.jobs().submit(keyId, "openai", req, null);
        await(got, 1);
        Received r = got.getFirst();
        JsonNode event = JSON.readTree(r.body());
        assertThat(event.path("object").asText()).isEqualTo("event");
        assertThat(event.path("type").asText()).isEqualTo("video.completed");
        assertThat(event.path("id").asText()).startsWith("evt_");
        assertThat(event.at("/data/id").asText()).isEqualTo(job.id());
        assertThat(r.headers().get("webhook-id")).startsWith("wh_");
        assertThat(r.headers().get("content-type")).isEqualTo("application/json");

        // the official SDK verifies the signature (and the timestamp's freshness) and parses the event
        OpenAIClient sdk = OpenAIOkHttpClient.builder().apiKey("unused").build();
        Headers headers = Headers.builder().put("webhook-id", r.headers().get("webhook-id"))
                .put("webhook-timestamp", r.headers().get("webhook-timestamp"))
                .put("webhook-signature", r.headers().get("webhook-signature")).build();
        UnwrapWebhookEvent unwrapped = sdk.webhooks().unwrap(WebhookVerificationParams.builder().payload(r.body())
                .headers(headers).secret(secret).build());
        assertThat(unwrapped._json()).isPresent(); // the SDK has no video.* types yet: it keeps the event as JSON
        assertThatThrownBy(() -> sdk.webhooks().unwrap(WebhookVerificationParams.builder()
                .payload(r.body().replace(job.id(), "video_forged")).headers(headers).secret(secret).build()))
                .as("a changed body fails verification").isNotNull();
        assertThatThrownBy(() -> sdk.webhooks().verifySignature(WebhookVerificationParams.builder().payload(r.body())
                .headers(headers).secret(WebhookSigner.newSecret()).build())).as("another secret fails").isNotNull();
        // and a check written from the Standard Webhooks spec, independent of Framegate's signer
        assertThat(specSignatures(secret, r)).contains(r.headers().get("webhook-signature").substring(3));

        JsonNode log = settledLog(job.id(), 1);
        assertThat(log).hasSize(1);
        assertThat(log.get(0).path("status").asText()).isEqualTo("delivered");
        assertThat(log.get(0).path("attempts").asInt()).isEqualTo(1);
        assertThat(log.get(0).at("/attempt_log/0/http_status").asInt()).isEqualTo(200);
        JsonNode listed = JSON.readTree(admin("GET", "/admin/v1/webhooks?key=" + keyName, null).body()).path("data");
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).has("secret")).as("the secret is shown only when added").isFalse();
    }

    /** The v1 signatures a Standard Webhooks receiver computes: base64(HMAC-SHA256(base64dec(secret), id.ts.body)). */
    static List<String> specSignatures(String secret, Received r) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
        String signed = r.headers().get("webhook-id") + "." + r.headers().get("webhook-timestamp") + "." + r.body();
        return List.of(Base64.getEncoder().encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void aFailingReceiverIsRetriedWithGrowingWaitsUntilItAcceptsAndAnotherIsGivenUp() throws Exception {
        TestClock clock = new TestClock();
        // the background round runs hourly (virtual rounds below run by hand); waits 10 s, 20 s, 40 s +-20%; give up after 60 s
        WebhookSettings s = new WebhookSettings(Duration.ofHours(1), Duration.ofSeconds(10), Duration.ofHours(6),
                Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofSeconds(60), 0.4, true);
        start(s, clock);
        List<Received> flaky = new CopyOnWriteArrayList<>(), broken = new CopyOnWriteArrayList<>();
        String keyId = server.keys().find(server.keys().create("app").secret()).orElseThrow().id();
        JsonNode flakyEndpoint = addEndpoint(keyId, receiver(flaky, 500, 500, 204), "[\"video.completed\"]");
        String flakyId = flakyEndpoint.path("id").asText();
        String brokenId = addEndpoint(keyId, receiver(broken, 503), "\"video.completed,video.failed\"").path("id").asText();
        String quietId = addEndpoint(keyId, receiver(new CopyOnWriteArrayList<>(), 200), "[\"video.failed\"]").path("id").asText();
        WebhookDeliverer d = server.webhooks().deliverer();

        Job job = endedJob(keyId);
        assertThat(d.runOnce()).isEqualTo(2); // flaky and broken; the quiet endpoint wants only video.failed
        assertThat(d.runOnce()).as("nothing is due again at once").isZero();
        clock.advance(Duration.ofSeconds(7));
        assertThat(d.runOnce()).as("the first wait is 8-12 s").isZero();
        clock.advance(Duration.ofSeconds(6));
        assertThat(d.runOnce()).isEqualTo(2);
        clock.advance(Duration.ofSeconds(15));
        assertThat(d.runOnce()).as("the second wait is 16-24 s").isZero();
        clock.advance(Duration.ofSeconds(10));
        assertThat(d.runOnce()).isEqualTo(2);
        clock.advance(Duration.ofHours(1));
        assertThat(d.runOnce()).as("delivered and given up: nothing left").isZero();

        assertThat(flaky).hasSize(3);
        assertThat(broken).hasSize(3);
        assertThat(flaky).extracting(r -> r.headers().get("webhook-id")).as("one webhook-id across retries").containsOnly(
                flaky.getFirst().headers().get("webhook-id"));
        JsonNode log = deliveries(job.id());
        assertThat(log).hasSize(2);
        for (JsonNode delivery : log) {
            String endpoint = delivery.path("endpoint_id").asText();
            assertThat(endpoint).isIn(flakyId, brokenId).isNotEqualTo(quietId);
            JsonNode attempts = delivery.path("attempt_log");
            assertThat(attempts).hasSize(3);
            long gap1 = attempts.get(1).path("at").asLong() - attempts.get(0).path("at").asLong();
            long gap2 = attempts.get(2).path("at").asLong() - attempts.get(1).path("at").asLong();
            assertThat(gap2).as("the waits grow").isGreaterThan(gap1);
            if (endpoint.equals(flakyId)) {
                assertThat(delivery.path("status").asText()).isEqualTo("delivered");
                // docs/events.md, Signatures: each attempt carries its own webhook-timestamp (the Unix seconds of that
                // attempt, so a receiver's tolerance window holds for a retry hours later) and is signed afresh with it
                for (int i = 0; i < 3; i++) {
                    Received r = flaky.get(i);
                    assertThat(Long.parseLong(r.headers().get("webhook-timestamp"))).as("attempt %d", i + 1)
                            .isEqualTo(attempts.get(i).path("at").asLong());
                    assertThat(specSignatures(flakyEndpoint.path("secret").asText(), r))
                            .contains(r.headers().get("webhook-signature").substring(3));
                }
                assertThat(flaky).extracting(r -> r.headers().get("webhook-timestamp")).doesNotHaveDuplicates();
                assertThat(attempts).extracting(a -> a.path("http_status").asInt()).containsExactly(500, 500, 204);
            } else {
                assertThat(delivery.path("status").asText()).as("the next wait would end past 60 s").isEqualTo("failed");
                assertThat(delivery.path("last_error").asText()).isEqualTo("HTTP 503");
            }
        }
    }

    /**
     * docs/events.md, Delivery: a final state written twice cannot send twice (one row per endpoint, job and event, held
     * by a unique index, not only by the outbox's check); a delivery claimed by an instance that died is taken over when
     * its claim expires (60 s), and two instances' deliverers racing over one due row send it once.
     */
    @Test
    void aFinalStateWrittenTwiceSendsOnceAndADeadInstancesClaimIsTakenOverOnceWhenItExpires() throws Exception {
        TestClock clock = new TestClock();
        WebhookSettings s = ROUNDS_BY_HAND;
        start(s, clock);
        List<Received> got = new CopyOnWriteArrayList<>();
        String keyId = server.keys().find(server.keys().create("app").secret()).orElseThrow().id();
        addEndpoint(keyId, receiver(got, 204), "[\"video.completed\"]");
        Job job = endedJob(keyId);
        var jdbi = server.database().jdbi();

        // the final state's event written again (a second completion path, a replay): still one delivery row
        jdbi.useTransaction(h -> server.webhooks().outbox().jobEnded(h, job.id(), io.framegate.domain.JobStatus.COMPLETED,
                clock.millis()));
        assertThat(deliveries(job.id())).hasSize(1);
        // and a racing writer that passed the check still cannot add a second row
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> jdbi.useHandle(h -> h.execute(
                "INSERT INTO webhook_deliveries (id, endpoint_id, event_id, event_type, job_id, payload, status, attempts, "
                        + "next_attempt_at, created_at) SELECT 'wh_dup', endpoint_id, 'evt_dup', event_type, job_id, payload, "
                        + "'pending', 0, next_attempt_at, created_at FROM webhook_deliveries WHERE job_id = ?", job.id())))
                .hasMessageContaining("WEBHOOK_DELIVERIES_ONCE");

        // an instance claimed it and died before attempting it
        long now = clock.millis();
        jdbi.useHandle(h -> h.execute("UPDATE webhook_deliveries SET claimed_by = 'dead-instance', claim_expires_at = ? "
                + "WHERE job_id = ?", now + 60_000, job.id()));
        WebhookDeliverer mine = server.webhooks().deliverer();
        WebhookDeliverer other = new WebhookDeliverer(jdbi, s, new WebhookPoster(true), clock,
                java.util.random.RandomGenerator.getDefault(), "other-instance");
        assertThat(mine.runOnce() + other.runOnce()).as("a live claim is left alone").isZero();
        clock.advance(Duration.ofSeconds(59));
        assertThat(mine.runOnce() + other.runOnce()).as("still claimed at 59 s").isZero();
        clock.advance(Duration.ofSeconds(2));
        // both instances go for the expired claim at once: one of them sends it
        java.util.concurrent.ExecutorService two = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            var a = two.submit(mine::runOnce);
            var b = two.submit(other::runOnce);
            assertThat(a.get() + b.get()).as("attempts over both instances").isEqualTo(1);
        } finally {
            two.shutdownNow();
        }
        assertThat(got).as("the receiver got it once").hasSize(1);
        JsonNode log = settledLog(job.id(), 1);
        assertThat(log).hasSize(1);
        assertThat(log.get(0).path("status").asText()).isEqualTo("delivered");
        assertThat(log.get(0).path("attempts").asInt()).isEqualTo(1);
        clock.advance(Duration.ofHours(1));
        assertThat(mine.runOnce() + other.runOnce()).as("nothing is left").isZero();
        assertThat(got).hasSize(1);
    }

    /** docs/events.md: an endpoint that is removed gets nothing more; its pending deliveries end {@code cancelled}. */
    @Test
    void aRemovedEndpointGetsNothingMoreAndItsPendingDeliveryEndsCancelled() throws Exception {
        TestClock clock = new TestClock();
        WebhookSettings s = ROUNDS_BY_HAND;
        start(s, clock);
        List<Received> got = new CopyOnWriteArrayList<>();
        String keyId = server.keys().find(server.keys().create("app").secret()).orElseThrow().id();
        String endpointId = addEndpoint(keyId, receiver(got, 500), null).path("id").asText();
        WebhookDeliverer d = server.webhooks().deliverer();
        Job job = endedJob(keyId);
        assertThat(d.runOnce()).as("the first attempt, refused with a 500").isEqualTo(1);

        HttpResponse<String> removed = admin("DELETE", "/admin/v1/webhooks/" + endpointId, null);
        assertThat(removed.statusCode()).as(removed.body()).isEqualTo(200);
        assertThat(JSON.readTree(removed.body()).path("removed_at").isNull()).isFalse();
        clock.advance(Duration.ofHours(1));
        d.runOnce(); // the delivery's next turn: it ends instead of being sent
        assertThat(d.runOnce()).as("nothing is left to deliver").isZero();
        assertThat(got).as("the removed endpoint got nothing more").hasSize(1);
        JsonNode log = deliveries(job.id());
        assertThat(log).hasSize(1);
        assertThat(log.get(0).path("status").asText()).isEqualTo("cancelled");
        assertThat(log.get(0).path("attempts").asInt()).isEqualTo(1);
    }

    /**
     * docs/events.md, Retries: 15 s without an answer is a failed attempt, retried. The attempt's timeout is a setting
     * (15 s unless set: {@code WebhookScheduleTest} and
     * {@link #aServerBuiltWithoutWebhookSettingsGivesEachAttempt15SecondsToBeAnswered}); at 1 s here. A receiver that
     * takes the POST and never answers costs one attempt of about that long, logged with its error and no HTTP status;
     * the delivery stays pending and is sent again after the first wait (10 s +-20%).
     */
    @Test
    void aReceiverThatNeverAnswersIsAFailedAttemptAtTheTimeoutAndIsRetried() throws Exception {
        TestClock clock = new TestClock();
        // the background round runs hourly: the rounds below run by hand
        start(new WebhookSettings(Duration.ofHours(1), Duration.ofSeconds(10), Duration.ofHours(6), Duration.ofHours(72),
                Duration.ofSeconds(1), Duration.ofSeconds(60), 0.4, true), clock);
        AtomicInteger connections = new AtomicInteger();
        String keyId = server.keys().find(server.keys().create("app").secret()).orElseThrow().id();
        addEndpoint(keyId, silentReceiver(connections), null);
        WebhookDeliverer d = server.webhooks().deliverer();
        Job job = endedJob(keyId);

        long started = System.nanoTime();
        assertThat(assertTimeoutPreemptively(Duration.ofSeconds(10), d::runOnce, "the attempt gave up waiting"))
                .isEqualTo(1);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("it waited for the timeout, not longer")
                .isBetween(Duration.ofMillis(900), Duration.ofSeconds(5));
        assertThat(connections).as("the POST went out").hasValue(1);
        JsonNode delivery = deliveries(job.id()).get(0);
        assertThat(delivery.path("status").asText()).as("a failed attempt, to be retried").isEqualTo("pending");
        assertThat(delivery.path("attempts").asInt()).isEqualTo(1);
        assertThat(delivery.path("last_http_status").isNull()).as("no answer: no status").isTrue();
        assertThat(delivery.path("last_error").asText()).contains("timed out");
        JsonNode attempt = delivery.path("attempt_log").get(0);
        assertThat(attempt.path("http_status").isNull()).isTrue();
        assertThat(attempt.path("ms").asLong()).isBetween(900L, 5000L);
        assertThat(delivery.path("next_attempt_at").asLong() - attempt.path("at").asLong()).as("the first wait, in s")
                .isBetween(7L, 13L);

        clock.advance(Duration.ofSeconds(13)); // past the first wait
        assertThat(assertTimeoutPreemptively(Duration.ofSeconds(10), d::runOnce, "the retry gave up waiting")).isEqualTo(1);
        assertThat(connections).as("sent again").hasValue(2);
        JsonNode again = deliveries(job.id()).get(0);
        assertThat(again.path("status").asText()).isEqualTo("pending");
        assertThat(again.path("attempts").asInt()).isEqualTo(2);
        assertThat(again.path("attempt_log")).allSatisfy(a -> assertThat(a.path("error").asText()).contains("timed out"));
    }

    /**
     * docs/events.md, Delivery: deliveries go out concurrently, at most one at a time per endpoint, so a slow endpoint
     * holds back only its own. Key A's receiver takes its first POST and holds it (until the test lets it go); key B's
     * endpoint still gets its event while that request is open - A's attempt has not ended, nothing is logged for it -
     * and A's second delivery waits for A's first instead of taking another slot. The attempt timeout (30 s here) is
     * longer than the test waits for B, so only a concurrent deliverer passes.
     */
    @Test
    void aSlowEndpointOfOneKeyDoesNotHoldBackAnotherKeysEndpoint() throws Exception {
        start(new WebhookSettings(Duration.ofMillis(50), Duration.ofSeconds(10), Duration.ofHours(6), Duration.ofHours(72),
                Duration.ofSeconds(30), Duration.ofSeconds(60), 0.4, true), java.time.Clock.systemUTC());
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch slowEntered = new java.util.concurrent.CountDownLatch(1);
        List<Received> slow = new CopyOnWriteArrayList<>(), healthy = new CopyOnWriteArrayList<>();
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        java.util.concurrent.ExecutorService handlers = java.util.concurrent.Executors.newCachedThreadPool();
        http.setExecutor(handlers); // each request its own thread: a second POST would be seen while the first is held
        http.createContext("/hook", ex -> {
            slow.add(new Received(Map.of(), new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            slowEntered.countDown();
            try {
                release.await(60, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        http.start();
        receivers.add(http);
        try {
            String keyA = server.keys().find(server.keys().create("tenant-a").secret()).orElseThrow().id();
            String keyB = server.keys().find(server.keys().create("tenant-b").secret()).orElseThrow().id();
            addEndpoint(keyA, "http://127.0.0.1:" + http.getAddress().getPort() + "/hook", "[\"video.completed\"]");
            addEndpoint(keyB, receiver(healthy, 200), "[\"video.completed\"]");

            Job a1 = endedJob(keyA);
            assertThat(slowEntered.await(30, java.util.concurrent.TimeUnit.SECONDS)).as("A's receiver got its POST").isTrue();
            Job a2 = endedJob(keyA); // a second delivery to the same slow endpoint, due now
            Job b = endedJob(keyB);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (healthy.isEmpty() && System.nanoTime() < deadline) Thread.sleep(20);
            assertThat(healthy).as("B's endpoint got its event while A's receiver held A's request").hasSize(1);
            assertThat(release.getCount()).as("A's receiver is still holding the request").isEqualTo(1);
            JsonNode held = deliveries(a1.id()).get(0);
            assertThat(held.path("attempt_log")).as("A's first attempt is still open (nothing logged)").isEmpty();
            assertThat(held.path("status").asText()).isEqualTo("pending");
            assertThat(slow).as("A's second delivery waits for A's first: one at a time per endpoint").hasSize(1);
            assertThat(JSON.readTree(healthy.getFirst().body()).at("/data/id").asText()).isEqualTo(b.id());
            assertThat(settledLog(b.id(), 1).get(0).path("status").asText()).isEqualTo("delivered");

            release.countDown();
            await(slow, 2);
            assertThat(slow).extracting(r -> JSON.readTree(r.body()).at("/data/id").asText())
                    .as("A's deliveries in their order").containsExactly(a1.id(), a2.id());
            for (Job j : List.of(a1, a2)) {
                assertThat(settledLog(j.id(), 1).get(0).path("status").asText()).isEqualTo("delivered");
            }
        } finally {
            release.countDown();
            handlers.shutdownNow();
        }
    }

    /**
     * docs/events.md, Delivery: on shutdown the deliverer waits for its attempts under way, up to an attempt's timeout,
     * before the database closes. A receiver takes 3 s to accept (the timeout is 10 s); the deliverer is closed while
     * the POST is open: when close returns, the accepted delivery is recorded {@code delivered} and no longer claimed
     * (else the next claim would send it again).
     */
    @Test
    void closingTheDelivererWaitsForAnAttemptUnderWayToBeRecorded() throws Exception {
        start(new WebhookSettings(Duration.ofMillis(50), Duration.ofSeconds(10), Duration.ofHours(6), Duration.ofHours(72),
                Duration.ofSeconds(10), Duration.ofSeconds(60), 0.4, true), java.time.Clock.systemUTC());
        java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/hook", ex -> {
            ex.getRequestBody().readAllBytes();
            entered.countDown();
            try {
                Thread.sleep(3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        http.start();
        receivers.add(http);
        String keyId = server.keys().find(server.keys().create("app").secret()).orElseThrow().id();
        addEndpoint(keyId, "http://127.0.0.1:" + http.getAddress().getPort() + "/hook", null);
        Job job = endedJob(keyId);
        assertThat(entered.await(30, java.util.concurrent.TimeUnit.SECONDS)).as("the POST went out").isTrue();

        server.webhooks().deliverer().close();

        JsonNode delivery = deliveries(job.id()).get(0);
        assertThat(delivery.path("status").asText()).as(delivery.toString()).isEqualTo("delivered");
        assertThat(delivery.path("attempts").asInt()).isEqualTo(1);
        Long claimed = server.database().jdbi().withHandle(h -> h.createQuery("SELECT claim_expires_at FROM "
                + "webhook_deliveries WHERE job_id = :id").bind("id", job.id()).mapTo(Long.class).one());
        assertThat(claimed).as("no claim left to expire and resend it").isNull();
    }

    /**
     * docs/events.md, Retries: the timeout bounds the whole attempt, the host's lookup included. A nameserver that
     * never answers (a resolver that blocks until the test ends) fails the attempt at the timeout (1 s here) with
     * "timed out resolving host", frees its sending slot and schedules the retry; the lookup is left to end in the
     * background.
     */
    @Test
    void aHostLookupThatNeverAnswersFailsTheAttemptAtTheTimeoutAndIsRetried() throws Exception {
        TestClock clock = new TestClock();
        WebhookSettings s = new WebhookSettings(Duration.ofHours(1), Duration.ofSeconds(10), Duration.ofHours(6),
                Duration.ofHours(72), Duration.ofSeconds(1), Duration.ofSeconds(60), 0.4, true);
        start(s, clock);
        List<Received> got = new CopyOnWriteArrayList<>();
        String keyId = server.keys().find(server.keys().create("app").secret()).orElseThrow().id();
        // a name, not the receiver's literal address: a literal is parsed, no nameserver is asked
        addEndpoint(keyId, receiver(got, 204).replace("//127.0.0.1:", "//localhost:"), null);
        Job job = endedJob(keyId);
        java.util.concurrent.CountDownLatch lookups = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch testOver = new java.util.concurrent.CountDownLatch(1);
        WebhookPoster stalled = new WebhookPoster(true, host -> {
            lookups.countDown();
            try {
                testOver.await(); // a nameserver that never answers, and a lookup no interrupt ends
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new java.net.UnknownHostException(host);
        });
        WebhookDeliverer d = new WebhookDeliverer(server.database().jdbi(), s, stalled, clock,
                java.util.random.RandomGenerator.getDefault(), "stalled-dns-instance");
        try {
            long started = System.nanoTime();
            assertThat(assertTimeoutPreemptively(Duration.ofSeconds(10), d::runOnce, "the attempt waited on the lookup"))
                    .isEqualTo(1);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).as("it waited for the timeout")
                    .isGreaterThanOrEqualTo(Duration.ofMillis(900));
            assertThat(lookups.getCount()).as("the lookup was made").isZero();
            JsonNode delivery = deliveries(job.id()).get(0);
            assertThat(delivery.path("status").asText()).as("a failed attempt, to be retried").isEqualTo("pending");
            assertThat(delivery.path("attempts").asInt()).isEqualTo(1);
            assertThat(delivery.path("last_error").asText()).contains("timed out resolving host");
            JsonNode attempt = delivery.path("attempt_log").get(0);
            assertThat(delivery.path("next_attempt_at").asLong() - attempt.path("at").asLong()).as("the first wait, in s")
                    .isBetween(7L, 13L);
            assertThat(got).as("nothing was sent").isEmpty();
        } finally {
            testOver.countDown();
            d.close();
        }
    }

    /**
     * docs/events.md, Retries: the timeout bounds the whole attempt (connect, send, status line), not each read. A
     * receiver that trickles its status line a byte every 300 ms never lets one read wait 1 s (the timeout here), but
     * would need about 5 s for the line: its attempt fails at the timeout, before the receiver got its line out, and
     * the delivery is retried after the first wait.
     */
    @Test
    void aReceiverThatTricklesItsAnswerFailsTheAttemptAtTheTimeoutAndIsRetried() throws Exception {
        TestClock clock = new TestClock();
        // the background round runs hourly: the rounds below run by hand; 1 s per attempt
        start(new WebhookSettings(Duration.ofHours(1), Duration.ofSeconds(10), Duration.ofHours(6), Duration.ofHours(72),
                Duration.ofSeconds(1), Duration.ofSeconds(60), 0.4, true), clock);
        AtomicInteger connections = new AtomicInteger(), finished = new AtomicInteger();
        java.net.ServerSocket listener = new java.net.ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        sockets.add(listener);
        Thread accept = new Thread(() -> {
            try {
                while (true) {
                    java.net.Socket s = listener.accept();
                    sockets.add(s);
                    connections.incrementAndGet();
                    Thread.ofPlatform().daemon().start(() -> trickle(s, finished));
                }
            } catch (java.io.IOException closed) {
                // the test is over
            }
        }, "trickling-webhook-receiver");
        accept.setDaemon(true);
        accept.start();
        String keyId = server.keys().find(server.keys().create("app").secret()).orElseThrow().id();
        addEndpoint(keyId, "http://127.0.0.1:" + listener.getLocalPort() + "/hook", null);
        WebhookDeliverer d = server.webhooks().deliverer();
        Job job = endedJob(keyId);

        assertThat(assertTimeoutPreemptively(Duration.ofSeconds(20), d::runOnce)).isEqualTo(1);
        assertThat(finished).as("the attempt ended before the receiver finished its status line").hasValue(0);
        assertThat(connections).hasValue(1);
        JsonNode delivery = deliveries(job.id()).get(0);
        assertThat(delivery.path("status").asText()).as("a failed attempt, to be retried").isEqualTo("pending");
        assertThat(delivery.path("attempts").asInt()).isEqualTo(1);
        assertThat(delivery.path("last_http_status").isNull()).as("no whole status line: no status").isTrue();
        assertThat(delivery.path("last_error").asText()).contains("timed out");
        JsonNode attempt = delivery.path("attempt_log").get(0);
        assertThat(delivery.path("next_attempt_at").asLong() - attempt.path("at").asLong()).as("the first wait, in s")
                .isBetween(7L, 13L);

        clock.advance(Duration.ofSeconds(13)); // past the first wait
        assertThat(assertTimeoutPreemptively(Duration.ofSeconds(20), d::runOnce)).isEqualTo(1);
        assertThat(connections).as("sent again").hasValue(2);
        JsonNode again = deliveries(job.id()).get(0);
        assertThat(again.path("status").asText()).isEqualTo("pending");
        assertThat(again.path("attempt_log")).hasSize(2)
                .allSatisfy(a -> assertThat(a.path("error").asText()).contains("timed out"));
    }

    /** Reads the request head, then writes a 200 status line a byte every 300 ms; counts {@code finished} if it got it all out. */
    static void trickle(java.net.Socket s, AtomicInteger finished) {
        try (s) {
            java.io.InputStream in = s.getInputStream();
            int matched = 0;
            for (int c = in.read(); c >= 0 && matched < 4; c = in.read()) {
                matched = c == "\r\n\r\n".charAt(matched) ? matched + 1 : c == '\r' ? 1 : 0;
            }
            java.io.OutputStream out = s.getOutputStream();
            for (byte b : "HTTP/1.1 200 OK\r\n\r\n".getBytes(StandardCharsets.US_ASCII)) {
                out.write(b);
                out.flush();
                Thread.sleep(300);
            }
            finished.incrementAndGet();
        } catch (java.io.IOException | InterruptedException e) {
            // the deliverer closed the connection
        }
    }

    /** docs/events.md, Retries: a server built without webhook settings (as {@code serve} builds it) waits 15 s. */
    @Test
    void aServerBuiltWithoutWebhookSettingsGivesEachAttempt15SecondsToBeAnswered() throws Exception {
        start(null, java.time.Clock.systemUTC());
        assertThat(server.webhooks().settings().timeout()).isEqualTo(Duration.ofSeconds(15));
        assertThat(server.webhooks().settings()).isEqualTo(WebhookSettings.DEFAULTS);
    }

    @Test
    void aPrivateTargetIsRefusedWithoutTheFlag() throws Exception {
        start(null, java.time.Clock.systemUTC()); // environment without FRAMEGATE_ALLOW_PRIVATE_WEBHOOKS
        String keyId = server.keys().find(server.keys().create("app").secret()).orElseThrow().id();
        for (String url : List.of("http://127.0.0.1:9/hook", "http://10.1.2.3/hook", "http://[::1]/hook", "http://169.254.169.254/")) {
            HttpResponse<String> r = admin("POST", "/admin/v1/webhooks", "{\"key\":\"" + keyId + "\",\"url\":\"" + url + "\"}");
            assertThat(r.statusCode()).as(url).isEqualTo(400);
            JsonNode e = JSON.readTree(r.body()).path("error");
            assertThat(e.path("param").asText()).isEqualTo("url");
            assertThat(e.path("message").asText()).contains("private", "FRAMEGATE_ALLOW_PRIVATE_WEBHOOKS=true");
        }
        HttpResponse<String> bad = admin("POST", "/admin/v1/webhooks", "{\"key\":\"" + keyId + "\",\"url\":\"ftp://example.com/x\"}");
        assertThat(bad.statusCode()).isEqualTo(400);
        HttpResponse<String> badEvent = admin("POST", "/admin/v1/webhooks", "{\"key\":\"" + keyId
                + "\",\"url\":\"https://example.com/x\",\"events\":[\"video.done\"]}");
        assertThat(badEvent.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(badEvent.body()).at("/error/message").asText()).contains("video.done", "video.completed");

        // at delivery time too: a public name that resolves to a private address (DNS rebinding) is not connected to
        WebhookPoster poster = new WebhookPoster(false, host -> new InetAddress[] {InetAddress.getByName("10.0.0.7")});
        assertThatThrownBy(() -> poster.post(URI.create("https://hooks.example.com/x"), Map.of(), new byte[0],
                Duration.ofSeconds(1))).isInstanceOf(WebhookPoster.RefusedTarget.class).hasMessageContaining("private");
        WebhookPoster allowed = new WebhookPoster(true, host -> new InetAddress[] {InetAddress.getByName("10.0.0.7")});
        assertThat(allowed.check(URI.create("https://hooks.example.com/x")).getHostAddress()).isEqualTo("10.0.0.7");
    }

    /**
     * docs/events.md, Managing endpoints: {@code POST /admin/v1/webhooks} answers {@code 201} with the secret; a missing
     * {@code key} or {@code url} and a bad {@code events} (an unknown name, empty, or neither a list nor a string) is a
     * {@code 400 invalid_value} whose {@code param} names the field; a key that is no active key is a {@code 404}; a
     * key holds at most 20 endpoints (the 21st is a {@code 409} naming {@code key}, and a removed one frees a place).
     * Nothing refused is stored.
     */
    @Test
    void addingAnEndpointNamesTheFieldThatIsWrongAndAKeyHoldsAtMostTwentyEndpoints() throws Exception {
        start(WebhookSettings.DEFAULTS.withAllowPrivate(true), java.time.Clock.systemUTC());
        String secretKey = server.keys().create("app").secret();
        String keyId = server.keys().find(secretKey).orElseThrow().id();
        String url = "http://127.0.0.1:9/hook";
        record Case(String body, String param, String says) {
        }
        for (Case c : List.of(
                new Case("{\"url\":\"" + url + "\"}", "key", "key is required"),
                new Case("{\"key\":\"" + keyId + "\"}", "url", "url is required"),
                new Case("{\"key\":\"" + keyId + "\",\"url\":\"" + url + "\",\"events\":[\"video.done\"]}", "events", "video.done"),
                new Case("{\"key\":\"" + keyId + "\",\"url\":\"" + url + "\",\"events\":\"video.completed,video.later\"}", "events",
                        "video.later"),
                new Case("{\"key\":\"" + keyId + "\",\"url\":\"" + url + "\",\"events\":[]}", "events", "empty"),
                new Case("{\"key\":\"" + keyId + "\",\"url\":\"" + url + "\",\"events\":7}", "events", "array"),
                new Case("{\"key\":\"" + keyId + "\",\"url\":\"" + url + "\",\"colour\":\"red\"}", "colour", "unknown field"))) {
            HttpResponse<String> r = admin("POST", "/admin/v1/webhooks", c.body());
            assertThat(r.statusCode()).as(c.body() + " -> " + r.body()).isEqualTo(400);
            JsonNode e = JSON.readTree(r.body()).path("error");
            assertThat(e.path("code").asText()).isEqualTo("invalid_value");
            assertThat(e.path("param").asText()).as(r.body()).isEqualTo(c.param());
            assertThat(e.path("message").asText()).contains(c.says());
        }
        HttpResponse<String> noSuchKey = admin("POST", "/admin/v1/webhooks", "{\"key\":\"nobody\",\"url\":\"" + url + "\"}");
        assertThat(noSuchKey.statusCode()).as(noSuchKey.body()).isEqualTo(404);
        assertThat(JSON.readTree(noSuchKey.body()).at("/error/code").asText()).isEqualTo("not_found");
        assertThat(JSON.readTree(noSuchKey.body()).at("/error/message").asText()).contains("nobody");
        assertThat(JSON.readTree(admin("GET", "/admin/v1/webhooks", null).body()).path("data")).as("nothing refused is stored").isEmpty();

        // by name too, with events as a comma-separated string
        JsonNode first = addEndpoint("app", url, "\"video.completed, video.failed\"");
        assertThat(first.path("secret").asText()).startsWith("whsec_");
        assertThat(first.path("key_id").asText()).isEqualTo(keyId);
        assertThat(first.path("events")).extracting(JsonNode::asText).containsExactly("video.completed", "video.failed");
        for (int i = 1; i < 20; i++) addEndpoint(keyId, url + i, null);
        HttpResponse<String> tooMany = admin("POST", "/admin/v1/webhooks", "{\"key\":\"" + keyId + "\",\"url\":\"" + url + "\"}");
        assertThat(tooMany.statusCode()).as(tooMany.body()).isEqualTo(409);
        assertThat(JSON.readTree(tooMany.body()).at("/error/param").asText()).isEqualTo("key");
        assertThat(JSON.readTree(tooMany.body()).at("/error/message").asText()).contains("at most 20");
        assertThat(JSON.readTree(admin("GET", "/admin/v1/webhooks?key=app", null).body()).path("data")).hasSize(20);
        assertThat(admin("DELETE", "/admin/v1/webhooks/" + first.path("id").asText(), null).statusCode()).isEqualTo(200);
        addEndpoint(keyId, url, null);
    }

    /**
     * docs/events.md, Webhooks: {@code video.cancelled} goes out when the client cancelled the job. The job is created
     * and cancelled over HTTP while it renders; an endpoint subscribed to every event gets one signed
     * {@code video.cancelled} for it, and one subscribed to completed and failed only gets nothing (a cancel is not
     * reported as a failure).
     */
    @Test
    void aJobCancelledByItsClientIsDeliveredAsVideoCancelled() throws Exception {
        start(WebhookSettings.DEFAULTS.withAllowPrivate(true).withPoll(Duration.ofMillis(50)), java.time.Clock.systemUTC(), 300);
        List<Received> all = new CopyOnWriteArrayList<>(), endsOnly = new CopyOnWriteArrayList<>();
        String secretKey = server.keys().create("app").secret();
        String keyId = server.keys().find(secretKey).orElseThrow().id();
        JsonNode endpoint = addEndpoint(keyId, receiver(all, 200), null);
        String endsOnlyId = addEndpoint(keyId, receiver(endsOnly, 200), "[\"video.completed\",\"video.failed\"]")
                .path("id").asText();

        String id = createOverHttp(secretKey, 1); // 24 frames at 300 ms: still running when cancelled
        HttpResponse<String> cancelled = api("POST", "/v1/videos/" + id + "/cancel", secretKey, null);
        assertThat(cancelled.statusCode()).as(cancelled.body()).isEqualTo(200);
        await(all, 1);
        Received r = all.getFirst();
        JsonNode event = JSON.readTree(r.body());
        assertThat(event.path("type").asText()).isEqualTo("video.cancelled");
        assertThat(event.path("object").asText()).isEqualTo("event");
        assertThat(event.at("/data/id").asText()).isEqualTo(id);
        assertThat(specSignatures(endpoint.path("secret").asText(), r)).contains(r.headers().get("webhook-signature").substring(3));
        JsonNode video = JSON.readTree(api("GET", "/v1/videos/" + id, secretKey, null).body());
        assertThat(video.at("/error/code").asText()).isEqualTo("cancelled");

        // the deliveries are written with the job's end: one, for the endpoint that takes video.cancelled
        JsonNode log = settledLog(id, 1);
        assertThat(log).hasSize(1);
        assertThat(log.get(0).path("event_type").asText()).isEqualTo("video.cancelled");
        assertThat(log.get(0).path("endpoint_id").asText()).isEqualTo(endpoint.path("id").asText()).isNotEqualTo(endsOnlyId);
        assertThat(log.get(0).path("status").asText()).isEqualTo("delivered");
        assertThat(endsOnly).isEmpty();
        assertThat(all).hasSize(1);
    }

    /**
     * docs/events.md, Webhooks: a job that fails is delivered as {@code video.failed} (signed like any other), to the
     * endpoints subscribed to it; one subscribed to {@code video.completed} only gets nothing.
     */
    @Test
    void aFailedJobIsDeliveredAsVideoFailedOnlyToEndpointsSubscribedToIt() throws Exception {
        start(WebhookSettings.DEFAULTS.withAllowPrivate(true).withPoll(Duration.ofMillis(50)), java.time.Clock.systemUTC());
        backend.failWith("upstream_failed");
        List<Received> failures = new CopyOnWriteArrayList<>(), completions = new CopyOnWriteArrayList<>();
        String secretKey = server.keys().create("app").secret();
        String keyId = server.keys().find(secretKey).orElseThrow().id();
        JsonNode endpoint = addEndpoint(keyId, receiver(failures, 200), "[\"video.failed\"]");
        String completedOnlyId = addEndpoint(keyId, receiver(completions, 200), "\"video.completed\"").path("id").asText();

        String id = createOverHttp(secretKey, 1);
        await(failures, 1);
        Received r = failures.getFirst();
        JsonNode event = JSON.readTree(r.body());
        assertThat(event.path("type").asText()).isEqualTo("video.failed");
        assertThat(event.path("object").asText()).isEqualTo("event");
        assertThat(event.path("id").asText()).startsWith("evt_");
        assertThat(event.at("/data/id").asText()).isEqualTo(id);
        assertThat(specSignatures(endpoint.path("secret").asText(), r)).contains(r.headers().get("webhook-signature").substring(3));
        JsonNode video = JSON.readTree(api("GET", "/v1/videos/" + id, secretKey, null).body());
        assertThat(video.path("status").asText()).isEqualTo("failed");
        assertThat(video.at("/error/code").asText()).isEqualTo("upstream_failed");

        JsonNode log = settledLog(id, 1);
        assertThat(log).hasSize(1);
        assertThat(log.get(0).path("event_type").asText()).isEqualTo("video.failed");
        assertThat(log.get(0).path("endpoint_id").asText()).isEqualTo(endpoint.path("id").asText()).isNotEqualTo(completedOnlyId);
        assertThat(log.get(0).path("status").asText()).isEqualTo("delivered");
        assertThat(completions).isEmpty();
        assertThat(failures).hasSize(1);
    }

    /**
     * docs/events.md, Webhooks: {@code video.expired} goes out when the job's files were deleted at the end of
     * retention, after its {@code video.completed}; a second sweep sends nothing more.
     */
    @Test
    void aJobWhoseFilesAreSweptAtTheEndOfRetentionIsDeliveredAsVideoExpired() throws Exception {
        java.nio.file.Files.writeString(dir.resolve("framegate.yaml"), "retention:\n  results: 1h\n  sweep_interval: 1d\n");
        TestClock clock = new TestClock();
        start(WebhookSettings.DEFAULTS.withAllowPrivate(true).withPoll(Duration.ofMillis(50)), clock);
        List<Received> got = new CopyOnWriteArrayList<>();
        String secretKey = server.keys().create("app").secret();
        String keyId = server.keys().find(secretKey).orElseThrow().id();
        String secret = addEndpoint(keyId, receiver(got, 200), null).path("secret").asText();
        String id = createOverHttp(secretKey, 1);
        await(got, 1);
        assertThat(JSON.readTree(got.getFirst().body()).path("type").asText()).isEqualTo("video.completed");
        assertThat(server.sweeper().sweepOnce().expiredJobs()).as("not expired yet").isZero();

        clock.advance(Duration.ofHours(2));
        assertThat(server.sweeper().sweepOnce().expiredJobs()).isEqualTo(1);
        await(got, 2);
        Received r = got.get(1);
        JsonNode event = JSON.readTree(r.body());
        assertThat(event.path("type").asText()).isEqualTo("video.expired");
        assertThat(event.at("/data/id").asText()).isEqualTo(id);
        assertThat(event.path("id").asText()).startsWith("evt_")
                .isNotEqualTo(JSON.readTree(got.getFirst().body()).path("id").asText());
        assertThat(specSignatures(secret, r)).contains(r.headers().get("webhook-signature").substring(3));
        assertThat(api("GET", "/v1/videos/" + id + "/content", secretKey, null).statusCode()).isEqualTo(410);

        assertThat(server.sweeper().sweepOnce().expiredJobs()).as("nothing left to sweep").isZero();
        JsonNode log = settledLog(id, 2);
        assertThat(log).extracting(d -> d.path("event_type").asText())
                .containsExactlyInAnyOrder("video.completed", "video.expired");
        assertThat(log).extracting(d -> d.path("status").asText()).containsOnly("delivered");
        assertThat(got).hasSize(2);

        // docs/events.md, the admin API: deliveries newest first (the expiry came 2 h after the completion), filtered
        // by status and cut by limit; a limit outside 1..1000 is a 400 naming it
        assertThat(log).extracting(d -> d.path("event_type").asText()).containsExactly("video.expired", "video.completed");
        String endpointId = log.get(0).path("endpoint_id").asText();
        JsonNode newest = JSON.readTree(admin("GET", "/admin/v1/webhooks/deliveries?endpoint=" + endpointId
                + "&status=delivered&limit=1", null).body()).path("data");
        assertThat(newest).extracting(d -> d.path("event_type").asText()).containsExactly("video.expired");
        assertThat(JSON.readTree(admin("GET", "/admin/v1/webhooks/deliveries?status=failed", null).body()).path("data"))
                .isEmpty();
        HttpResponse<String> tooMany = admin("GET", "/admin/v1/webhooks/deliveries?limit=1001", null);
        assertThat(tooMany.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(tooMany.body()).at("/error/param").asText()).isEqualTo("limit");
    }

    /**
     * docs/events.md, Delivery: targets take no user info (refused when added, even where private targets are
     * allowed), and redirects are not followed: a 302 is a failed attempt, retried later to the same URL, and the
     * redirect's target never gets the event.
     */
    @Test
    void aTargetWithUserInfoIsRefusedAndARedirectIsNotFollowedButRetried() throws Exception {
        TestClock clock = new TestClock();
        // the background round runs hourly: the rounds below run by hand
        start(WebhookSettings.DEFAULTS.withAllowPrivate(true).withPoll(Duration.ofHours(1)), clock);
        String keyId = server.keys().find(server.keys().create("app").secret()).orElseThrow().id();
        List<Received> elsewhere = new CopyOnWriteArrayList<>();
        String target = receiver(elsewhere, 200);

        String withUser = target.replace("http://", "http://user:pass@");
        HttpResponse<String> refused = admin("POST", "/admin/v1/webhooks", "{\"key\":\"" + keyId + "\",\"url\":\"" + withUser + "\"}");
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
        JsonNode e = JSON.readTree(refused.body()).path("error");
        assertThat(e.path("param").asText()).isEqualTo("url");
        assertThat(e.path("message").asText()).contains("user name or password");
        assertThat(JSON.readTree(admin("GET", "/admin/v1/webhooks", null).body()).path("data")).isEmpty();

        // a receiver that redirects every POST to the other one
        List<Received> redirecting = new CopyOnWriteArrayList<>();
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/hook", ex -> {
            redirecting.add(new Received(Map.of(), new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            ex.getResponseHeaders().add("Location", target);
            ex.sendResponseHeaders(302, -1);
            ex.close();
        });
        http.start();
        receivers.add(http);
        addEndpoint(keyId, "http://127.0.0.1:" + http.getAddress().getPort() + "/hook", null);
        WebhookDeliverer d = server.webhooks().deliverer();
        Job job = endedJob(keyId);
        assertThat(d.runOnce()).isEqualTo(1);
        assertThat(redirecting).hasSize(1);
        JsonNode delivery = deliveries(job.id()).get(0);
        assertThat(delivery.path("status").asText()).isEqualTo("pending");
        assertThat(delivery.path("last_http_status").asInt()).isEqualTo(302);
        assertThat(delivery.path("last_error").asText()).isEqualTo("HTTP 302");

        clock.advance(Duration.ofSeconds(13)); // past the first wait (10 s +-20%)
        assertThat(d.runOnce()).as("retried, to the same URL").isEqualTo(1);
        assertThat(redirecting).hasSize(2);
        assertThat(elsewhere).as("the redirect's target got nothing").isEmpty();
        JsonNode again = deliveries(job.id()).get(0);
        assertThat(again.path("attempts").asInt()).isEqualTo(2);
        assertThat(again.path("attempt_log")).extracting(a -> a.path("http_status").asInt()).containsExactly(302, 302);
    }
}
