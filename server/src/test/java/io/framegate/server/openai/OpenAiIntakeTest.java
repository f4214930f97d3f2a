package io.framegate.server.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import io.framegate.domain.GenerationContext;
import io.framegate.domain.ImageLimits;
import io.framegate.domain.RenderPlan;
import io.framegate.server.LocalTestBackend;
import io.framegate.server.TestImages;
import io.framegate.server.TinyVideoBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Issue 8, items 6, 8 and 10 on the OpenAI surface, through a real server over HTTP. */
class OpenAiIntakeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private OpenAiTestServer server(ImageLimits limits, boolean allowPrivate, PrintStream accessLog) throws Exception {
        return new OpenAiTestServer(dir, new TinyVideoBackend("local", true, 0), 5_000_000, limits, allowPrivate, accessLog);
    }

    private static HttpResponse<byte[]> postJson(OpenAiTestServer t, String key, String path, String body,
                                                 String... headers) throws Exception {
        HttpRequest.Builder b = t.request(path, key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        return t.send(b);
    }

    private static HttpResponse<byte[]> upload(OpenAiTestServer t, byte[] image) throws Exception {
        Multipart m = new Multipart().field("model", "framegate-local").field("size", "160x96").field("seconds", "1")
                .file("input_reference", "ref.png", "image/png", image);
        return t.send(t.request("/v1/videos", t.keyA).header("Content-Type", m.contentType())
                .POST(HttpRequest.BodyPublishers.ofByteArray(m.build())));
    }

    private static JsonNode error(HttpResponse<byte[]> r) throws Exception {
        return JSON.readTree(r.body()).path("error");
    }

    private static String dataUrl(byte[] png) {
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
    }

    private static int jobCount(OpenAiTestServer t) throws Exception {
        return JSON.readTree(t.send(t.request("/v1/videos?limit=100", t.keyA).GET()).body()).path("data").size();
    }

    @Test
    void aPngHeaderBombIsA400WithoutDecoding() throws Exception {
        byte[] bomb = TestImages.pngBomb(20_000, 20_000);
        assertThat(bomb.length).isLessThan(1_000_000);
        try (OpenAiTestServer t = server(ImageLimits.DEFAULTS, true, null)) {
            upload(t, TestImages.png(160, 96, Color.RED)); // warms up the server's first request
            Runtime rt = Runtime.getRuntime();
            System.gc();
            long before = rt.totalMemory() - rt.freeMemory();
            for (int i = 0; i < 3; i++) {
                long start = System.nanoTime();
                HttpResponse<byte[]> r = upload(t, bomb);
                long ms = (System.nanoTime() - start) / 1_000_000;
                assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(400);
                assertThat(error(r).path("param").asText()).isEqualTo("input_reference");
                assertThat(error(r).path("code").asText()).isEqualTo("image_too_large");
                assertThat(error(r).path("message").asText()).contains("20000x20000").contains("16384");
                // a generous bound (it answers in milliseconds when idle; a loaded 2-core machine took 2.4 s once):
                // the heap check below is what proves nothing was decoded
                assertThat(ms).as("answered in %d ms", ms).isLessThan(10_000);
            }
            // 20000x20000 decoded is 1.2 GB; the heap of this JVM (which runs the server) never grew near it
            assertThat(rt.totalMemory() - rt.freeMemory() - before).isLessThan(300L * 1024 * 1024);
            assertThat(jobCount(t)).isEqualTo(1);
        }
    }

    @Test
    void aTruncatedPngIsA400AtCreateNotALaterFailure() throws Exception {
        byte[] png = TestImages.png(320, 240, Color.BLUE);
        byte[] cut = Arrays.copyOf(png, png.length / 2);
        try (OpenAiTestServer t = server(ImageLimits.DEFAULTS, true, null)) {
            HttpResponse<byte[]> r = upload(t, cut);
            assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(400);
            assertThat(error(r).path("param").asText()).isEqualTo("input_reference");
            assertThat(error(r).path("message").asText()).contains("truncated");
            HttpResponse<byte[]> json = postJson(t, t.keyA, "/v1/videos", "{\"model\":\"framegate-local\","
                    + "\"input_reference\":{\"image_url\":\"" + dataUrl(cut) + "\"}}");
            assertThat(json.statusCode()).isEqualTo(400);
            assertThat(error(json).path("param").asText()).isEqualTo("input_reference.image_url");
            assertThat(jobCount(t)).isZero();
        }
    }

    /**
     * docs/limits.md, intake: a progressive JPEG repeating one scan thousands of times (a few hundred KB, each scan a
     * whole pass of the native decoder, which no deadline interrupts) is a 400 at create on both ways in, no job.
     */
    @Test
    void aJpegScanBombIsA400AtCreateNotAStuckWorker() throws Exception {
        byte[] bomb = TestImages.withRepeatedLastScan(TestImages.progressiveJpeg(160, 96), 300);
        try (OpenAiTestServer t = server(ImageLimits.DEFAULTS, true, null)) {
            HttpResponse<byte[]> r = upload(t, bomb);
            assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(400);
            assertThat(error(r).path("param").asText()).isEqualTo("input_reference");
            assertThat(error(r).path("message").asText()).contains("scans").contains("at most 100");
            HttpResponse<byte[]> json = postJson(t, t.keyA, "/v1/videos", "{\"model\":\"framegate-local\","
                    + "\"input_reference\":{\"image_url\":\"data:image/jpeg;base64,"
                    + Base64.getEncoder().encodeToString(bomb) + "\"}}");
            assertThat(json.statusCode()).as(new String(json.body())).isEqualTo(400);
            assertThat(error(json).path("param").asText()).isEqualTo("input_reference.image_url");
            assertThat(jobCount(t)).isZero();
        }
    }

    /** docs/limits.md, request intake: an image that no decoder could read (a palette PNG without its palette) is a 400. */
    @Test
    void aPalettePngWithoutItsPaletteIsA400AtCreate() throws Exception {
        try (OpenAiTestServer t = server(ImageLimits.DEFAULTS, true, null)) {
            HttpResponse<byte[]> r = upload(t, TestImages.paletteWithoutPlte(160, 96));
            assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(400);
            assertThat(error(r).path("param").asText()).isEqualTo("input_reference");
            assertThat(error(r).path("code").asText()).isEqualTo("invalid_image");
            assertThat(error(r).path("message").asText()).isEqualTo("input_reference is an invalid PNG image: it is a "
                    + "palette image without a palette (no PLTE chunk before its pixel data).");
            assertThat(jobCount(t)).isZero();
        }
    }

    @Test
    void aHundredFrameImagesAreRefusedBeforeAnyFetch() throws Exception {
        AtomicInteger fetched = new AtomicInteger();
        HttpServer images = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        byte[] png = TestImages.png(160, 96, Color.GREEN);
        images.createContext("/", ex -> {
            fetched.incrementAndGet();
            ex.sendResponseHeaders(200, png.length);
            ex.getResponseBody().write(png);
            ex.close();
        });
        images.start();
        try (OpenAiTestServer t = server(ImageLimits.DEFAULTS, true, null)) {
            ObjectNode body = JSON.createObjectNode().put("model", "framegate-local");
            ArrayNode frames = body.putArray("frame_images");
            for (int i = 0; i < 100; i++) {
                frames.addObject().put("image_url", "http://127.0.0.1:" + images.getAddress().getPort() + "/f" + i + ".png")
                        .put("frame_type", i % 2 == 0 ? "first_frame" : "last_frame");
            }
            long start = System.nanoTime();
            HttpResponse<byte[]> r = postJson(t, t.keyA, "/v1/videos", body.toString());
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(400);
            assertThat(error(r).path("param").asText()).isEqualTo("frame_images");
            assertThat(error(r).path("code").asText()).isEqualTo("too_many_images");
            assertThat(error(r).path("message").asText()).contains("100").contains("at most 8");
            assertThat(ms).isLessThan(1000);
            assertThat(fetched.get()).as("no image was fetched").isZero();
            // the same two images are fetched once the request is within the limit
            ArrayNode two = JSON.createArrayNode();
            two.add(frames.get(0));
            two.add(frames.get(1));
            body.set("frame_images", two);
            body.put("size", "160x96").put("seconds", "999");
            HttpResponse<byte[]> refused = postJson(t, t.keyA, "/v1/videos", body.toString());
            assertThat(refused.statusCode()).as(new String(refused.body())).isEqualTo(400);
            assertThat(error(refused).path("param").asText()).isEqualTo("seconds");
            assertThat(fetched.get()).as("the model's rules refused it before any download").isZero();
            body.put("seconds", "1");
            HttpResponse<byte[]> ok = postJson(t, t.keyA, "/v1/videos", body.toString());
            assertThat(ok.statusCode()).as(new String(ok.body())).isEqualTo(200);
            assertThat(fetched.get()).isEqualTo(2);
        } finally {
            images.stop(0);
        }
    }

    @Test
    void aTricklingImageUrlIsCutOffAtTheDeadlineWhileAnotherKeyIsServed() throws Exception {
        CountDownLatch connected = new CountDownLatch(1);
        AtomicLong closedAt = new AtomicLong();
        try (ServerSocket trickle = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             OpenAiTestServer t = server(ImageLimits.DEFAULTS.withFetchDeadline(Duration.ofSeconds(1)), true, null)) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = trickle.accept()) {
                    connected.countDown();
                    InputStream in = s.getInputStream();
                    in.read(new byte[4096]);
                    OutputStream out = s.getOutputStream();
                    out.write("HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: 100000\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    for (int i = 0; i < 60; i++) { // a byte a second, far past the deadline
                        out.write(0x89);
                        out.flush();
                        Thread.sleep(1000);
                    }
                } catch (Exception e) {
                    closedAt.set(System.nanoTime()); // the server hung up on us
                }
            });
            long start = System.nanoTime();
            CompletableFuture<HttpResponse<byte[]>> slow = CompletableFuture.supplyAsync(() -> {
                try {
                    return postJson(t, t.keyA, "/v1/videos", "{\"model\":\"framegate-local\",\"input_reference\":"
                            + "{\"image_url\":\"http://127.0.0.1:" + trickle.getLocalPort() + "/slow.png\"}}");
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            assertThat(connected.await(5, TimeUnit.SECONDS)).isTrue();
            long otherStart = System.nanoTime();
            HttpResponse<byte[]> other = postJson(t, t.keyB, "/v1/videos", "{\"model\":\"framegate-local\",\"size\":"
                    + "\"160x96\",\"seconds\":\"1\",\"input_reference\":{\"image_url\":\"" + dataUrl(TestImages.png(160, 96, Color.RED)) + "\"}}");
            long otherMs = (System.nanoTime() - otherStart) / 1_000_000;
            assertThat(other.statusCode()).isEqualTo(200);
            assertThat(otherMs).as("another key's create while the trickle runs").isLessThan(1000);
            assertThat(slow.isDone()).as("the trickling request was still waiting").isFalse();

            HttpResponse<byte[]> r = slow.get(10, TimeUnit.SECONDS);
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(400);
            assertThat(error(r).path("param").asText()).isEqualTo("input_reference.image_url");
            assertThat(error(r).path("code").asText()).isEqualTo("image_url_timeout");
            assertThat(ms).as("cut off at the 1 s deadline").isBetween(900L, 4000L);
            long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (closedAt.get() == 0 && System.nanoTime() < waitUntil) Thread.sleep(50);
            assertThat(closedAt.get()).as("the server closed the trickling connection").isNotZero();
        }
    }

    /**
     * docs/limits.md, request intake: by default a request's image URL downloads get 15 s in all; an image URL that
     * accepts the connection and never answers is a 400 {@code image_url_timeout} whose message names the time the
     * download was given (what was left of the 15 s when it started), and the server hangs up on it.
     */
    @Test
    void aSilentImageUrlIsCutOffByTheDefaultFifteenSecondDeadline() throws Exception {
        CountDownLatch closed = new CountDownLatch(1);
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             OpenAiTestServer t = server(ImageLimits.DEFAULTS, true, null)) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = silent.accept()) {
                    // reads the request, answers nothing; returns when the server hangs up
                    while (s.getInputStream().read(new byte[4096]) >= 0) {
                        // the request's bytes
                    }
                    closed.countDown();
                } catch (Exception e) {
                    closed.countDown();
                }
            });
            HttpResponse<byte[]> r = postJson(t, t.keyA, "/v1/videos", "{\"model\":\"framegate-local\",\"input_reference\":"
                    + "{\"image_url\":\"http://127.0.0.1:" + silent.getLocalPort() + "/silent.png\"}}");
            assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(400);
            assertThat(error(r).path("code").asText()).isEqualTo("image_url_timeout");
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("within (\\d+) ms").matcher(error(r).path("message").asText());
            assertThat(m.find()).as(error(r).path("message").asText()).isTrue();
            assertThat(Long.parseLong(m.group(1))).as("the download was given the rest of the default 15 s")
                    .isBetween(10_000L, 15_000L);
            assertThat(closed.await(10, TimeUnit.SECONDS)).as("the server hung up on the silent URL").isTrue();
            assertThat(jobCount(t)).isZero();
        }
    }

    /** A create with a first and a last frame given as data: URLs. */
    private static String keyframes(byte[] first, byte[] last) {
        return "{\"model\":\"framegate-local\",\"size\":\"160x96\",\"seconds\":\"1\",\"frame_images\":[{\"image_url\":\""
                + dataUrl(first) + "\",\"frame_type\":\"first_frame\"},{\"image_url\":\"" + dataUrl(last)
                + "\",\"frame_type\":\"last_frame\"}]}";
    }

    /**
     * docs/limits.md, request intake: the encoded image bytes of one request together are capped (64 MB by default,
     * set small here); over it is a 413 {@code request_images_too_large} naming the image that passed it, and no job.
     */
    @Test
    void imagesOverTheRequestsByteBudgetTogetherAreA413RequestImagesTooLarge() throws Exception {
        byte[] first = TestImages.png(160, 96, Color.RED), last = TestImages.png(160, 96, Color.BLUE);
        long both = first.length + last.length;
        try (OpenAiTestServer t = server(ImageLimits.DEFAULTS.withMaxRequestBytes(both - 1), true, null)) {
            HttpResponse<byte[]> r = postJson(t, t.keyA, "/v1/videos", keyframes(first, last));
            assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(413);
            assertThat(error(r).path("type").asText()).isEqualTo("invalid_request_error");
            assertThat(error(r).path("code").asText()).isEqualTo("request_images_too_large");
            assertThat(error(r).path("param").asText()).isEqualTo("frame_images[1].image_url");
            assertThat(error(r).path("message").asText()).contains("at most " + (both - 1) + " bytes together");
            // each image alone is within the budget, and so is a request with one of them
            HttpResponse<byte[]> one = postJson(t, t.keyA, "/v1/videos", "{\"model\":\"framegate-local\",\"size\":\"160x96\","
                    + "\"seconds\":\"1\",\"input_reference\":{\"image_url\":\"" + dataUrl(last) + "\"}}");
            assertThat(one.statusCode()).as(new String(one.body())).isEqualTo(200);
            assertThat(jobCount(t)).as("the refused request made no job").isEqualTo(1);
        }
        try (OpenAiTestServer t = server(ImageLimits.DEFAULTS.withMaxRequestBytes(both), true, null)) {
            HttpResponse<byte[]> r = postJson(t, t.keyA, "/v1/videos", keyframes(first, last));
            assertThat(r.statusCode()).as("exactly the budget: " + new String(r.body())).isEqualTo(200);
        }
    }

    /**
     * docs/limits.md, request intake: the default budget of one request's images is 64 MB (67,108,864 bytes) together.
     * With an upload limit above half of it (40 MiB, so each image alone is allowed), two fetched keyframes of 32 MiB
     * each are served, and the same two with the second one byte longer are a 413 {@code request_images_too_large}.
     */
    @Test
    void theDefaultImageBudgetOfARequestIsSixtyFourMebibytes() throws Exception {
        int half = 32 * 1024 * 1024;
        byte[] first = TestImages.padded(TestImages.png(160, 96, Color.RED), half);
        byte[] last = TestImages.padded(TestImages.png(160, 96, Color.BLUE), half);
        byte[] longer = TestImages.padded(TestImages.png(160, 96, Color.BLUE), half + 1);
        HttpServer images = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        images.createContext("/", ex -> {
            byte[] b = switch (ex.getRequestURI().getPath()) {
                case "/first.png" -> first;
                case "/last.png" -> last;
                default -> longer;
            };
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        images.start();
        try (OpenAiTestServer t = new OpenAiTestServer(dir, new TinyVideoBackend("local", true, 0), 40L * 1024 * 1024,
                ImageLimits.DEFAULTS, true, null)) {
            String url = "http://127.0.0.1:" + images.getAddress().getPort() + "/";
            String body = "{\"model\":\"framegate-local\",\"size\":\"160x96\",\"seconds\":\"1\",\"frame_images\":["
                    + "{\"image_url\":\"" + url + "first.png\",\"frame_type\":\"first_frame\"},"
                    + "{\"image_url\":\"" + url + "%s\",\"frame_type\":\"last_frame\"}]}";
            HttpResponse<byte[]> ok = postJson(t, t.keyA, "/v1/videos", body.formatted("last.png"));
            assertThat(ok.statusCode()).as("exactly 64 MiB: " + new String(ok.body())).isEqualTo(200);

            HttpResponse<byte[]> r = postJson(t, t.keyA, "/v1/videos", body.formatted("longer.png"));
            assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(413);
            assertThat(error(r).path("code").asText()).isEqualTo("request_images_too_large");
            assertThat(error(r).path("param").asText()).isEqualTo("frame_images[1].image_url");
            assertThat(error(r).path("message").asText()).contains("at most " + (2L * half) + " bytes together");
            assertThat(jobCount(t)).isEqualTo(1);
        } finally {
            images.stop(0);
        }
    }

    /** docs/limits.md: fetched URLs count toward the same budget, and passing it is the same 413 as an upload's. */
    @Test
    void aFetchedImageOverWhatIsLeftOfTheBudgetIsA413RequestImagesTooLarge() throws Exception {
        byte[] first = TestImages.png(160, 96, Color.RED), last = TestImages.png(160, 96, Color.BLUE);
        HttpServer images = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        images.createContext("/", ex -> {
            ex.sendResponseHeaders(200, last.length);
            ex.getResponseBody().write(last);
            ex.close();
        });
        images.start();
        try (OpenAiTestServer t = server(ImageLimits.DEFAULTS.withMaxRequestBytes(first.length + last.length - 1), true, null)) {
            String body = "{\"model\":\"framegate-local\",\"size\":\"160x96\",\"seconds\":\"1\",\"frame_images\":["
                    + "{\"frame_type\":\"first_frame\",\"image_url\":\"" + dataUrl(first) + "\"},"
                    + "{\"frame_type\":\"last_frame\",\"image_url\":\"http://127.0.0.1:" + images.getAddress().getPort() + "/b.png\"}]}";
            HttpResponse<byte[]> r = postJson(t, t.keyA, "/v1/videos", body);
            assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(413);
            assertThat(error(r).path("code").asText()).isEqualTo("request_images_too_large");
            assertThat(error(r).path("param").asText()).isEqualTo("frame_images[1].image_url");
            assertThat(error(r).path("message").asText()).contains("at most " + (first.length + last.length - 1) + " bytes together");
            assertThat(jobCount(t)).isZero();
        } finally {
            images.stop(0);
        }
    }

    /**
     * docs/limits.md, request intake: image URL downloads at once are bounded server-wide ("8 running, 64 waiting":
     * eight waiting per running download; 1 and 8 here); a request beyond that is a 503 {@code image_url_busy}
     * without connecting, which carries no {@code x-should-retry: false}; the waiting ones are served once the
     * running one ends.
     */
    @Test
    void imageUrlDownloadsBeyondThePoolAndItsQueueAreA503ImageUrlBusy() throws Exception {
        ImageLimits limits = new ImageLimits(ImageLimits.DEFAULTS.maxPixels(), ImageLimits.DEFAULTS.maxSide(),
                ImageLimits.DEFAULTS.maxImages(), ImageLimits.DEFAULTS.maxRequestBytes(), Duration.ofSeconds(30), 1);
        assertDownloadPool(limits, 1, 8, 3);
    }

    /** The same with the default limits ({@code ImageLimits.DEFAULTS}): 8 running, 64 waiting. */
    @Test
    void theDefaultImageUrlPoolRunsEightAndQueuesSixtyFourBeforeA503() throws Exception {
        assertDownloadPool(ImageLimits.DEFAULTS, 8, 64, 8);
    }

    /**
     * {@code running + waiting + refused} creates at once whose image URL hangs until let go: {@code running} downloads
     * run, {@code waiting} wait, {@code refused} are a 503 {@code image_url_busy} without connecting; then the others
     * are served.
     */
    private void assertDownloadPool(ImageLimits limits, int running, int waiting, int refused) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger fetched = new AtomicInteger();
        byte[] png = TestImages.png(160, 96, Color.GREEN);
        HttpServer images = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        java.util.concurrent.ExecutorService imageThreads = java.util.concurrent.Executors.newCachedThreadPool();
        images.setExecutor(imageThreads); // every download the server starts is held here at once
        images.createContext("/", ex -> {
            fetched.incrementAndGet();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.sendResponseHeaders(200, png.length);
            ex.getResponseBody().write(png);
            ex.close();
        });
        images.start();
        int served = running + waiting;
        try (OpenAiTestServer t = server(limits, true, null)) {
            String body = "{\"model\":\"framegate-local\",\"size\":\"160x96\",\"seconds\":\"1\",\"input_reference\":"
                    + "{\"image_url\":\"http://127.0.0.1:" + images.getAddress().getPort() + "/a.png\"}}";
            java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
            java.util.List<CompletableFuture<HttpResponse<byte[]>>> sent = new java.util.ArrayList<>();
            java.util.List<HttpResponse<byte[]>> busy = new java.util.concurrent.CopyOnWriteArrayList<>();
            for (int i = 0; i < served + refused; i++) {
                CompletableFuture<HttpResponse<byte[]>> f = client.sendAsync(t.request("/v1/videos", t.keyA)
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                f.thenAccept(r -> {
                    if (r.statusCode() == 503) busy.add(r);
                });
                sent.add(f);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(12); // within the 15 s default fetch deadline
            while ((busy.size() < refused || fetched.get() < running) && System.nanoTime() < deadline) Thread.sleep(20);
            assertThat(busy).as(running + " running + " + waiting + " waiting are taken; the others are refused").hasSize(refused);
            assertThat(fetched.get()).as(running + " downloads run, the others wait").isEqualTo(running);
            release.countDown();
            int ok = 0;
            for (CompletableFuture<HttpResponse<byte[]>> f : sent) {
                HttpResponse<byte[]> r = f.get(60, TimeUnit.SECONDS);
                if (r.statusCode() == 200) {
                    ok++;
                    continue;
                }
                assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(503);
                assertThat(error(r).path("code").asText()).isEqualTo("image_url_busy");
                assertThat(error(r).path("type").asText()).isEqualTo("server_error");
                assertThat(error(r).path("param").asText()).isEqualTo("input_reference.image_url");
                assertThat(r.headers().firstValue("x-should-retry")).as("a refusal before anything was created").isEmpty();
            }
            assertThat(ok).isEqualTo(served);
            assertThat(fetched.get()).as("the refused requests never connected").isEqualTo(served);
            assertThat(jobCount(t)).isEqualTo(served);
        } finally {
            release.countDown();
            images.stop(0);
            imageThreads.shutdownNow();
        }
    }

    /**
     * docs/limits.md, request intake: on the OpenAI surface one image may hold at most the upload limit (here 5,000,000
     * bytes), wherever it comes from: an image URL serving one byte more is a 413 {@code image_too_large} (not the
     * request budget's code, which is far off), while one of exactly the limit is served.
     */
    @Test
    void aFetchedImageOverTheUploadLimitIsA413ImageTooLargeAndOneAtItIsServed() throws Exception {
        byte[] atLimit = TestImages.padded(TestImages.png(160, 96, Color.GREEN), 5_000_000);
        byte[] over = TestImages.padded(TestImages.png(160, 96, Color.GREEN), 5_000_001);
        HttpServer images = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        images.createContext("/", ex -> {
            byte[] b = ex.getRequestURI().getPath().equals("/over.png") ? over : atLimit;
            ex.getResponseHeaders().add("Content-Type", "image/png");
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        images.start();
        try (OpenAiTestServer t = server(ImageLimits.DEFAULTS, true, null)) {
            String body = "{\"model\":\"framegate-local\",\"size\":\"160x96\",\"seconds\":\"1\",\"input_reference\":"
                    + "{\"image_url\":\"http://127.0.0.1:" + images.getAddress().getPort() + "/%s\"}}";
            HttpResponse<byte[]> r = postJson(t, t.keyA, "/v1/videos", body.formatted("over.png"));
            assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(413);
            assertThat(error(r).path("code").asText()).isEqualTo("image_too_large");
            assertThat(error(r).path("param").asText()).isEqualTo("input_reference.image_url");
            assertThat(error(r).path("message").asText()).contains("5000000");
            assertThat(jobCount(t)).isZero();

            HttpResponse<byte[]> ok = postJson(t, t.keyA, "/v1/videos", body.formatted("at.png"));
            assertThat(ok.statusCode()).as(new String(ok.body())).isEqualTo(200);
            assertThat(jobCount(t)).isEqualTo(1);
        } finally {
            images.stop(0);
        }
    }

    @Test
    void urlsToCgnatBenchmarkingNat64And6to4AddressesAreRefusedWithoutConnecting() throws Exception {
        try (OpenAiTestServer t = server(ImageLimits.DEFAULTS, false, null)) {
            for (String host : new String[] {"100.64.0.1", "100.127.255.254", "198.18.0.1", "198.19.10.10",
                    "[64:ff9b::a00:1]", "[2002:0a00:0001::]", "[2002:c0a8:0101::1]", "[::ffff:10.0.0.1]", "127.0.0.1"}) {
                long start = System.nanoTime();
                HttpResponse<byte[]> r = postJson(t, t.keyA, "/v1/videos", "{\"model\":\"framegate-local\","
                        + "\"input_reference\":{\"image_url\":\"http://" + host + "/x.png\"}}");
                assertThat(r.statusCode()).as(host + ": " + new String(r.body())).isEqualTo(400);
                assertThat(error(r).path("code").asText()).as(host).isEqualTo("invalid_url");
                assertThat(error(r).path("message").asText()).as(host).contains("private, local or reserved");
                assertThat((System.nanoTime() - start) / 1_000_000).as(host + ": no connection was tried").isLessThan(2000);
            }
        }
    }

    @Test
    void aLongIdempotencyKeyIsA400NamingTheHeaderOnCreateRemixAndExtensions() throws Exception {
        String key = "k".repeat(300);
        try (OpenAiTestServer t = server(ImageLimits.DEFAULTS, true, null)) {
            for (String path : new String[] {"/v1/videos", "/v1/videos/video_x/remix", "/v1/videos/extensions"}) {
                HttpResponse<byte[]> r = postJson(t, t.keyA, path, "{\"prompt\":\"p\"}", "Idempotency-Key", key);
                assertThat(r.statusCode()).as(path + ": " + new String(r.body())).isEqualTo(400);
                assertThat(error(r).path("param").asText()).isEqualTo("Idempotency-Key");
                assertThat(error(r).path("message").asText()).contains("300").contains("255");
            }
            assertThat(jobCount(t)).isZero();
        }
    }

    /**
     * docs/limits.md, Request intake: an {@code Idempotency-Key} may be 255 characters (kept whole: the same key and
     * request return the same job, a key differing only in its last character makes another); one more is a 400
     * {@code invalid_header} naming the header and the limit, and creates nothing.
     */
    @Test
    void anIdempotencyKeyOf255CharactersIsKeptWholeAnd256IsA400InvalidHeader() throws Exception {
        try (OpenAiTestServer t = server(ImageLimits.DEFAULTS, true, null)) {
            String body = "{\"model\":\"framegate-local\",\"size\":\"160x96\",\"seconds\":\"1\",\"input_reference\":"
                    + "{\"image_url\":\"" + dataUrl(TestImages.png(160, 96, Color.RED)) + "\"}}";
            String longest = "k".repeat(254) + "a";
            HttpResponse<byte[]> first = postJson(t, t.keyA, "/v1/videos", body, "Idempotency-Key", longest);
            assertThat(first.statusCode()).as(new String(first.body())).isEqualTo(200);
            String id = JSON.readTree(first.body()).path("id").asText();
            HttpResponse<byte[]> replay = postJson(t, t.keyA, "/v1/videos", body, "Idempotency-Key", longest);
            assertThat(replay.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(replay.body()).path("id").asText()).as("the same key: the same job").isEqualTo(id);
            HttpResponse<byte[]> other = postJson(t, t.keyA, "/v1/videos", body, "Idempotency-Key", "k".repeat(254) + "b");
            assertThat(other.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(other.body()).path("id").asText()).as("another last character: another job")
                    .isNotEqualTo(id);

            HttpResponse<byte[]> r = postJson(t, t.keyA, "/v1/videos", body, "Idempotency-Key", "k".repeat(256));
            assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(400);
            assertThat(error(r).path("code").asText()).isEqualTo("invalid_header");
            assertThat(error(r).path("param").asText()).isEqualTo("Idempotency-Key");
            assertThat(error(r).path("message").asText()).contains("256").contains("255");
            assertThat(jobCount(t)).isEqualTo(2);
        }
    }

    @Test
    void anInternalFailureIsA500WithAGenericMessageAndTheRequestIdOnly() throws Exception {
        try (OpenAiTestServer t = server(ImageLimits.DEFAULTS, true, null)) {
            Path files = dir.resolve("files");
            try (var walk = Files.walk(files)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            Files.writeString(files, "not a directory"); // every write of an input image now fails
            java.io.PrintStream stderr = System.err;
            java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
            HttpResponse<byte[]> r;
            System.setErr(new java.io.PrintStream(log, true, StandardCharsets.UTF_8));
            try {
                r = postJson(t, t.keyA, "/v1/videos", "{\"model\":\"framegate-local\",\"size\":\"160x96\","
                        + "\"seconds\":\"1\",\"input_reference\":{\"image_url\":\"" + dataUrl(TestImages.png(160, 96, Color.RED)) + "\"}}");
            } finally {
                System.setErr(stderr);
            }
            String body = new String(r.body(), StandardCharsets.UTF_8);
            assertThat(r.statusCode()).as(body).isEqualTo(500);
            String requestId = r.headers().firstValue("x-request-id").orElseThrow();
            assertThat(error(r).path("type").asText()).isEqualTo("server_error");
            assertThat(error(r).path("message").asText()).contains(requestId);
            assertThat(body).doesNotContain("Exception").doesNotContain(dir.toString()).doesNotContain("video_")
                    .doesNotContain("files");
            assertThat(r.headers().firstValue("x-should-retry")).as("the job may exist: no SDK retry").contains("false");
            // docs/limits.md, Errors: the details the client is not shown are logged under that request id
            String logged = log.toString(StandardCharsets.UTF_8);
            assertThat(logged).as(logged).contains("request " + requestId + " POST /v1/videos failed").contains("Exception")
                    .contains("files");
        }
    }

    @Test
    void anIdempotencyMismatchTellsSdksNotToRetry() throws Exception {
        try (OpenAiTestServer t = server(ImageLimits.DEFAULTS, true, null)) {
            String image = dataUrl(TestImages.png(160, 96, Color.RED));
            String body = "{\"model\":\"framegate-local\",\"size\":\"160x96\",\"seconds\":\"1\",\"prompt\":\"%s\","
                    + "\"input_reference\":{\"image_url\":\"" + image + "\"}}";
            assertThat(postJson(t, t.keyA, "/v1/videos", body.formatted("a"), "Idempotency-Key", "same").statusCode()).isEqualTo(200);
            HttpResponse<byte[]> r = postJson(t, t.keyA, "/v1/videos", body.formatted("b"), "Idempotency-Key", "same");
            assertThat(r.statusCode()).isEqualTo(409);
            assertThat(r.headers().firstValue("x-should-retry")).contains("false");
            assertThat(error(r).path("code").asText()).isEqualTo("idempotency_key_reused");
        }
    }

    /** Notes what a careless provider would (an upstream body with a token, an internal URL), then crashes. */
    private static final class LeakyBackend extends LocalTestBackend {
        @Override
        public void generate(RenderPlan plan, GenerationContext ctx) {
            ctx.note("engine_mode", "keyframes");
            ctx.note("failover", "primary refused: 401 {\"error\":\"invalid token Bearer sk-live-SECRET\"}");
            ctx.note("retry", "POST http://10.1.2.3:8080/internal/v1/videos answered 502");
            throw new IllegalStateException("cannot open /var/lib/framegate/work/job/frame-0001.png");
        }
    }

    @Test
    void clientsSeeWhitelistedNotesAndNoClassNamesOrPathsInJobErrors() throws Exception {
        try (OpenAiTestServer t = new OpenAiTestServer(dir, new LeakyBackend(), 5_000_000)) {
            HttpResponse<byte[]> created = postJson(t, t.keyA, "/v1/videos", "{\"model\":\"framegate-local\",\"size\":"
                    + "\"160x96\",\"seconds\":\"1\",\"input_reference\":{\"image_url\":\"" + dataUrl(TestImages.png(160, 96, Color.RED)) + "\"}}");
            String id = JSON.readTree(created.body()).path("id").asText();
            JsonNode video = null;
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < until) {
                video = JSON.readTree(t.send(t.request("/v1/videos/" + id, t.keyA).GET()).body());
                if (video.path("status").asText().equals("failed")) break;
                Thread.sleep(100);
            }
            assertThat(video.path("status").asText()).isEqualTo("failed");
            String text = video.toString();
            assertThat(video.at("/error/message").asText()).isNotBlank();
            assertThat(text).doesNotContain("IllegalStateException").doesNotContain("/var/lib").doesNotContain("SECRET")
                    .doesNotContain("10.1.2.3");
            JsonNode notes = video.at("/framegate/notes");
            assertThat(notes.path("engine_mode").asText()).isEqualTo("keyframes");
            assertThat(notes.has("failover")).isFalse();
            assertThat(notes.has("retry")).isFalse();
        }
    }

    @Test
    void theKeyQueryParameterIsRedactedInTheAccessLogHoweverItIsSpelled() throws Exception {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(log, true, StandardCharsets.UTF_8);
             OpenAiTestServer t = server(ImageLimits.DEFAULTS, true, out)) {
            t.send(t.request("/v1/videos?key=SECRET1&%6Bey=SECRET2&KEY=SECRET3&k%65Y=SECRET4&key=SECRET5&after=x", t.keyA).GET());
            t.send(t.request("/v1/videos?%256Bey=SECRET6", t.keyA).GET());
        }
        String lines = log.toString(StandardCharsets.UTF_8);
        assertThat(lines).contains("REDACTED").contains("after=x").contains("request_id");
        for (int i = 1; i <= 6; i++) assertThat(lines).doesNotContain("SECRET" + i);
    }

    @Test
    void anExtensionIsAcceptedWithoutDecodingItsSourceAndTheWorkerStartsFromTheLastFrame() throws Exception {
        try (OpenAiTestServer t = server(ImageLimits.DEFAULTS, true, null)) {
            HttpResponse<byte[]> created = postJson(t, t.keyA, "/v1/videos", "{\"model\":\"framegate-local\",\"size\":"
                    + "\"160x96\",\"seconds\":\"1\",\"input_reference\":{\"image_url\":\"" + dataUrl(TestImages.png(160, 96, Color.RED)) + "\"}}");
            String source = JSON.readTree(created.body()).path("id").asText();
            assertThat(OpenAiTestServer.awaitFinal(t.client(t.keyA), source).status().asString()).isEqualTo("completed");
            HttpResponse<byte[]> ext = postJson(t, t.keyA, "/v1/videos/extensions",
                    "{\"video\":{\"id\":\"" + source + "\"},\"prompt\":\"on\",\"seconds\":\"1\"}");
            assertThat(ext.statusCode()).as(new String(ext.body())).isEqualTo(200);
            String id = JSON.readTree(ext.body()).path("id").asText();
            String keyId = t.server.keys().find(t.keyA).orElseThrow().id();
            var stored = t.server.jobs().request(keyId, id).orElseThrow().images();
            assertThat(stored).hasSize(1);
            assertThat(stored.get(0).source()).as("a placeholder: the handler read no video")
                    .isEqualTo(io.framegate.server.jobs.ExtensionFrame.SOURCE);
            assertThat(stored.get(0).bytes()).isEmpty();
            assertThat(OpenAiTestServer.awaitFinal(t.client(t.keyA), id).status().asString()).isEqualTo("completed");
        }
    }

    /**
     * docs/limits.md, Request intake: the caps of a server built without others ({@code serve} builds it so): 50
     * megapixels and 16384 px a side per image, 8 images and 64 MB (MiB) of encoded images per request, 15 s for a
     * request's image URL downloads and 8 downloads at once.
     */
    @Test
    void aServerBuiltWithoutImageLimitsHasTheDocumentedIntakeCaps() throws Exception {
        try (io.framegate.server.FramegateServer s = io.framegate.server.FramegateServer.builder(
                io.framegate.server.ServerOptions.defaults(dir).withHost("127.0.0.1").withPort(0).withAccessLog(null))
                .localBackend(new TinyVideoBackend("local", true, 0)).build()) {
            ImageLimits l = s.context().imageLimits();
            assertThat(l.maxPixels()).isEqualTo(50_000_000L);
            assertThat(l.maxSide()).isEqualTo(16_384);
            assertThat(l.maxImages()).isEqualTo(8);
            assertThat(l.maxRequestBytes()).isEqualTo(64L * 1_048_576);
            assertThat(l.fetchDeadline()).isEqualTo(Duration.ofSeconds(15));
            assertThat(l.fetchConcurrency()).isEqualTo(8);
        }
    }
}
