package io.framegate.server.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.openai.client.OpenAIClient;
import com.openai.models.videos.Video;
import com.openai.models.videos.VideoCreateParams;
import com.openai.models.videos.VideoSeconds;
import com.openai.models.videos.VideoSize;
import io.framegate.server.RecordingBackend;
import io.framegate.server.TestImages;
import io.framegate.server.TinyVideoBackend;
import io.framegate.engine.VideoFiles;
import io.javalin.Javalin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The OpenAI surface over raw HTTP: what an SDK cannot send (bad bodies, ranges, extension fields, restarts). */
class OpenAiHttpTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path dir;

    static String dataUrl(byte[] png) {
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
    }

    static JsonNode json(HttpResponse<byte[]> r) throws Exception {
        return JSON.readTree(r.body());
    }

    private static HttpResponse<byte[]> postJson(OpenAiTestServer t, String path, String body) throws Exception {
        return t.send(t.request(path, t.keyA).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static HttpResponse<byte[]> postMultipart(OpenAiTestServer t, Multipart m) throws Exception {
        return postMultipart(t, "/v1/videos", m);
    }

    private static HttpResponse<byte[]> postMultipart(OpenAiTestServer t, String path, Multipart m) throws Exception {
        return t.send(t.request(path, t.keyA).header("Content-Type", m.contentType())
                .POST(HttpRequest.BodyPublishers.ofByteArray(m.build())));
    }

    private static void assertError(HttpResponse<byte[]> r, int status, String param, String messagePart) throws Exception {
        assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(status);
        JsonNode e = json(r).path("error");
        assertThat(e.path("type").asText()).isEqualTo("invalid_request_error");
        if (param == null) assertThat(e.path("param").isNull()).isTrue();
        else assertThat(e.path("param").asText()).isEqualTo(param);
        assertThat(e.path("message").asText()).contains(messagePart);
        assertThat(e.has("code")).isTrue();
    }

    /** A noise PNG of {@code w x h} (it does not compress: about 3 bytes a pixel). */
    private static byte[] noisePng(int w, int h) throws Exception {
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(w, h, java.awt.image.BufferedImage.TYPE_3BYTE_BGR);
        new java.util.Random(7).nextBytes(((java.awt.image.DataBufferByte) img.getRaster().getDataBuffer()).getData());
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    @Test
    void aBase64ImageLongerThanTheJsonParsersDefaultCapIsRead() throws Exception {
        // the parser's default cap on one string is 20 million characters: a 16 MB image's data URL is over it, and the
        // limits allow it (the body cap here is 40 MB)
        byte[] png = noisePng(2400, 2300);
        String body = "{\"model\":\"framegate-local\",\"prompt\":\"p\",\"input_reference\":{\"image_url\":\""
                + dataUrl(png) + "\"}}";
        assertThat(body.length()).isGreaterThan(20_500_000);
        try (OpenAiTestServer t = new OpenAiTestServer(dir, new TinyVideoBackend("local", true, 0), 40_000_000)) {
            HttpResponse<byte[]> r = postJson(t, "/v1/videos", body);
            assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
            assertThat(json(r).path("status").asText()).isIn("queued", "in_progress", "completed");
        }
    }

    @Test
    void badBodiesGetCleanErrors() throws Exception {
        try (OpenAiTestServer t = new OpenAiTestServer(dir, new TinyVideoBackend("local", true, 0), 200_000)) {
            assertError(postJson(t, "/v1/videos", "{\"prompt\": \"x\", "), 400, null, "could not parse the JSON");
            assertError(postJson(t, "/v1/videos", "[1,2]"), 400, null, "must be an object");

            byte[] garbage = "--xyz\r\nContent-Disposition: form-data; name=\"prompt\"\r\n\r\nunterminated".getBytes();
            assertError(t.send(t.request("/v1/videos", t.keyA).header("Content-Type", "multipart/form-data; boundary=xyz")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(garbage))), 400, null, "multipart");

            assertError(postMultipart(t, new Multipart().field("model", "framegate-local").field("prompt", "p")
                    .file("input_reference", "notes.txt", "text/plain", "hello, not an image".getBytes())),
                    400, "input_reference", "is not a PNG, JPEG or WebP image");
            assertError(postMultipart(t, new Multipart().field("model", "framegate-local")
                    .file("input_reference", "fake.png", "image/png", "GIF89a-pretending".getBytes())),
                    400, "input_reference", "not a PNG, JPEG or WebP");

            byte[] big = new byte[400_000];
            new java.util.Random(1).nextBytes(big);
            HttpResponse<byte[]> tooBig = postMultipart(t, new Multipart().field("model", "framegate-local")
                    .file("input_reference", "big.png", "image/png", big));
            assertThat(tooBig.statusCode()).isEqualTo(413);
            assertThat(json(tooBig).path("error").path("message").asText()).contains("200000");
            HttpResponse<byte[]> tooBigJson = postJson(t, "/v1/videos", "{\"model\":\"framegate-local\",\"input_reference\":"
                    + "{\"image_url\":\"" + dataUrl(big) + "\"}}");
            assertThat(tooBigJson.statusCode()).isEqualTo(413);
            // docs/limits.md: a body over the upload limit is a 413 request_too_large naming the limit in bytes
            assertThat(json(tooBigJson).at("/error/code").asText()).isEqualTo("request_too_large");
            assertThat(json(tooBigJson).at("/error/message").asText()).contains("200000 bytes");

            assertError(t.send(t.request("/v1/videos", t.keyA).header("Content-Type", "text/plain")
                    .POST(HttpRequest.BodyPublishers.ofString("prompt=x"))), 415, null, "not supported");
            // a URL-encoded form (curl -d without a Content-Type) is neither JSON nor multipart
            assertError(t.send(t.request("/v1/videos", t.keyA).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("model=framegate-local&prompt=x"))), 415, null, "curl -d");
            // the parser's limits and locations in words of our own, not its settings' and classes' names
            HttpResponse<byte[]> deep = postJson(t, "/v1/videos", "[".repeat(1200) + "]".repeat(1200));
            assertError(deep, 400, null, "nest more than 1000 levels deep");
            HttpResponse<byte[]> unclosed = postJson(t, "/v1/videos", "{");
            assertError(unclosed, 400, null, "(opened at line 1, column 1)");
            for (HttpResponse<byte[]> r : List.of(deep, unclosed)) {
                assertThat(new String(r.body())).doesNotContain("StreamReadConstraints").doesNotContain("Source:")
                        .doesNotContain("`");
            }
            assertError(postJson(t, "/v1/videos", "{\"model\":\"framegate-local\",\"input_reference\":{\"image_url\":\"data:image/png;base64,@@@\"}}"),
                    400, "input_reference.image_url", "invalid base64");
            assertError(postJson(t, "/v1/videos", "{\"model\":\"framegate-local\",\"input_reference\":{\"image_url\":\"ftp://x/y.png\"}}"),
                    400, "input_reference.image_url", "http(s) URL");
            assertError(t.send(t.request("/v1/videos?limit=500", t.keyA).GET()), 400, "limit", "0 to 100");
            assertError(t.send(t.request("/v1/videos?color=red", t.keyA).GET()), 400, "color", "Unknown parameter");
            // nothing of the above was stored
            assertThat(t.server.jobs().list(t.server.keys().find(t.keyA).orElseThrow().id(), null, 10,
                    io.framegate.server.jobs.ListOrder.DESC).data()).isEmpty();
        }
    }

    @Test
    void keyframeExtensionInJsonAndMultipartAndRangeRequests() throws Exception {
        RecordingBackend received = new RecordingBackend(new TinyVideoBackend("local", true, 0));
        try (OpenAiTestServer t = new OpenAiTestServer(dir, received, 5_000_000)) {
            byte[] first = TestImages.png(160, 96, Color.RED);
            byte[] last = TestImages.jpeg(160, 96, Color.CYAN);
            HttpResponse<byte[]> created = postJson(t, "/v1/videos", "{\"model\":\"framegate-local\",\"prompt\":\"morph\","
                    + "\"size\":\"160x96\",\"seconds\":\"1\",\"frame_images\":[{\"image_url\":\"" + dataUrl(first)
                    + "\",\"frame_type\":\"first_frame\"},{\"image_url\":\"data:image/jpeg;base64,"
                    + Base64.getEncoder().encodeToString(last) + "\",\"frame_type\":\"last_frame\"}]}");
            assertThat(created.statusCode()).as(new String(created.body())).isEqualTo(200);
            assertThat(created.headers().firstValue("openai-poll-after-ms")).contains("250");
            String id = json(created).path("id").asText();
            var stored = t.server.jobs().request(t.server.keys().find(t.keyA).orElseThrow().id(), id).orElseThrow();
            assertThat(stored.images()).extracting(i -> i.role().wireName()).containsExactly("first_frame", "last_frame");
            assertThat(stored.images().get(1).mimeType()).isEqualTo("image/jpeg");
            // checked whole at intake, and stored so: the worker does not walk them again
            assertThat(stored.images()).allMatch(io.framegate.domain.InputImage::checked);

            RecordingBackend.Received json = received.received(id);
            assertThat(json.roles()).containsExactly("first_frame", "last_frame");
            assertThat(json.imageOf("first_frame")).isEqualTo(RecordingBackend.sha256(first));
            assertThat(json.imageOf("last_frame")).isEqualTo(RecordingBackend.sha256(last));
            assertThat(json.seconds()).isEqualTo(1);
            assertThat(json.size()).isEqualTo("160x96");

            // multipart: a file part and an image_url, listed last frame first: the roles follow frame_type
            HttpResponse<byte[]> multi = postMultipart(t, new Multipart().field("model", "framegate-local")
                    .field("size", "160x96").field("seconds", "1")
                    .file("frame_images[0][file]", "b.jpg", "image/jpeg", last).field("frame_images[0][frame_type]", "last_frame")
                    .field("frame_images[1][image_url]", dataUrl(first)).field("frame_images[1][frame_type]", "first_frame"));
            assertThat(multi.statusCode()).as(new String(multi.body())).isEqualTo(200);
            RecordingBackend.Received parts = received.received(json(multi).path("id").asText());
            assertThat(parts.roles()).containsExactlyInAnyOrder("first_frame", "last_frame");
            assertThat(parts.imageOf("first_frame")).isEqualTo(RecordingBackend.sha256(first));
            assertThat(parts.imageOf("last_frame")).isEqualTo(RecordingBackend.sha256(last));
            assertThat(parts.size()).isEqualTo("160x96");
            assertThat(OpenAiTestServer.awaitFinal(t.client(t.keyA), json(multi).path("id").asText()).status().asString())
                    .isEqualTo("completed");

            assertError(postJson(t, "/v1/videos", "{\"model\":\"framegate-local\",\"frame_images\":[{\"image_url\":\""
                    + dataUrl(first) + "\",\"frame_type\":\"middle\"}]}"), 400, "frame_images[0].frame_type", "first_frame");
            assertError(postJson(t, "/v1/videos", "{\"model\":\"framegate-local\",\"size\":\"160x96\",\"frame_images\":[{\"image_url\":\""
                    + dataUrl(first) + "\",\"frame_type\":\"last_frame\"}]}"), 400, "frame_images", "a last frame needs a first frame");
            assertError(postJson(t, "/v1/videos", "{\"model\":\"framegate-local\",\"frame_images\":[{\"image_url\":\""
                    + dataUrl(first) + "\",\"frame_type\":\"first_frame\",\"weight\":2}]}"), 400, "frame_images[0].weight", "Unknown parameter");
            assertError(postJson(t, "/v1/videos", "{\"model\":\"sora-2\",\"prompt\":\"p\",\"input_references\":[{\"image_url\":\""
                    + dataUrl(first) + "\"},{\"image_url\":\"" + dataUrl(first) + "\"}]}"), 400, "input_reference", "at most 1");

            OpenAIClient a = t.client(t.keyA);
            Video done = OpenAiTestServer.awaitFinal(a, id);
            assertThat(done.status().asString()).isEqualTo("completed");
            HttpResponse<byte[]> full = t.send(t.request("/v1/videos/" + id + "/content", t.keyA).GET());
            assertThat(full.statusCode()).isEqualTo(200);
            assertThat(full.headers().firstValue("Accept-Ranges")).contains("bytes");
            assertThat(full.headers().firstValue("Content-Type").orElse("")).startsWith("video/mp4");
            byte[] whole = full.body();
            HttpResponse<byte[]> part = t.send(t.request("/v1/videos/" + id + "/content?variant=video", t.keyA)
                    .header("Range", "bytes=10-99").GET());
            assertThat(part.statusCode()).isEqualTo(206);
            assertThat(part.headers().firstValue("Content-Range")).contains("bytes 10-99/" + whole.length);
            assertThat(part.body()).isEqualTo(Arrays.copyOfRange(whole, 10, 100));
            HttpResponse<byte[]> tail = t.send(t.request("/v1/videos/" + id + "/content", t.keyA).header("Range", "bytes=-16").GET());
            assertThat(tail.statusCode()).isEqualTo(206);
            assertThat(tail.body()).isEqualTo(Arrays.copyOfRange(whole, whole.length - 16, whole.length));
            // several ranges at once get the whole file (RFC 9110 allows it), not a multipart answer or an error
            HttpResponse<byte[]> several = t.send(t.request("/v1/videos/" + id + "/content", t.keyA)
                    .header("Range", "bytes=0-9,20-29").GET());
            assertThat(several.statusCode()).isEqualTo(200);
            assertThat(several.headers().firstValue("Content-Range")).isEmpty();
            assertThat(several.headers().firstValue("Content-Type").orElse("")).startsWith("video/mp4");
            assertThat(several.body()).isEqualTo(whole);
            HttpResponse<byte[]> beyond = t.send(t.request("/v1/videos/" + id + "/content", t.keyA)
                    .header("Range", "bytes=" + whole.length + "-").GET());
            assertThat(beyond.statusCode()).isEqualTo(416);
            assertThat(beyond.headers().firstValue("Content-Range")).contains("bytes */" + whole.length);
            // an unsatisfiable range is answered in the OpenAI error shape, naming the header, its value and the size
            for (String range : new String[] {"bytes=" + whole.length + "-", "bytes=999999999-",
                    "bytes=99999999999999999999999-"}) {
                HttpResponse<byte[]> r = t.send(t.request("/v1/videos/" + id + "/content", t.keyA).header("Range", range).GET());
                assertThat(r.headers().firstValue("Content-Range")).contains("bytes */" + whole.length);
                assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
                assertError(r, 416, "Range", range);
                assertThat(json(r).at("/error/code").asText()).isEqualTo("range_not_satisfiable");
                assertThat(json(r).at("/error/message").asText()).contains(whole.length + " bytes");
            }
            HttpResponse<byte[]> signed = t.send(HttpRequest.newBuilder(java.net.URI.create(json(t.send(t.request("/v1/videos/" + id,
                    t.keyA).GET())).path("video_url").asText())).header("Range", "bytes=999999999-").GET());
            assertThat(signed.headers().firstValue("Content-Range")).contains("bytes */" + whole.length);
            assertError(signed, 416, "Range", "bytes=999999999-");
            assertError(t.send(t.request("/v1/videos/" + id + "/content?variant=poster", t.keyA).GET()), 400, "variant", "spritesheet");
        }
    }

    @Test
    void imageUrlIsFetchedOverHttp() throws Exception {
        byte[] png = TestImages.png(160, 96, Color.MAGENTA);
        Javalin images = Javalin.create(c -> c.showJavalinBanner = false)
                .get("/ref.png", c -> c.contentType("image/png").result(png)).start("127.0.0.1", 0);
        try (OpenAiTestServer t = new OpenAiTestServer(dir, new TinyVideoBackend("local", true, 0), 5_000_000)) {
            String url = "http://127.0.0.1:" + images.port() + "/ref.png";
            HttpResponse<byte[]> r = postMultipart(t, new Multipart().field("model", "framegate-local")
                    .field("size", "160x96").field("seconds", "1").field("input_reference[image_url]", url));
            assertThat(r.statusCode()).as(new String(r.body())).isEqualTo(200);
            var req = t.server.jobs().request(t.server.keys().find(t.keyA).orElseThrow().id(), json(r).path("id").asText())
                    .orElseThrow();
            assertThat(req.images().get(0).bytes()).isEqualTo(png);
            assertThat(req.images().get(0).role().wireName()).isEqualTo("reference");
            assertError(postJson(t, "/v1/videos", "{\"model\":\"framegate-local\",\"input_reference\":{\"image_url\":\""
                    + url.replace("ref.png", "missing.png") + "\"}}"), 400, "input_reference.image_url", "HTTP 404");
        } finally {
            images.stop();
        }
    }

    @Test
    void privateImageUrlsAreRefusedByDefault() {
        ImageInputs strict = new ImageInputs(io.framegate.domain.ImageLimits.DEFAULTS, 1000,
                new io.framegate.server.intake.ImageFetcher(1, false));
        Problems problems = new Problems();
        var located = strict.locate(com.fasterxml.jackson.databind.node.TextNode.valueOf("http://127.0.0.1:1/x.png"),
                "input_reference", java.util.Set.of(), io.framegate.domain.ImageRole.REFERENCE);
        assertThat(strict.load(java.util.List.of(located), problems)).isEmpty();
        org.assertj.core.api.Assertions.assertThatThrownBy(problems::throwIfAny)
                .isInstanceOf(OpenAiError.class).hasMessageContaining("private, local or reserved address");
    }

    @Test
    void modelsListComesFromTheCatalog() throws Exception {
        try (OpenAiTestServer t = new OpenAiTestServer(dir, new TinyVideoBackend("local", true, 0), 5_000_000)) {
            HttpResponse<byte[]> r = t.send(t.request("/v1/videos/models", t.keyA).GET());
            assertThat(r.statusCode()).isEqualTo(200);
            JsonNode data = json(r).path("data");
            assertThat(data.size()).isEqualTo(io.framegate.domain.ModelCatalog.builtIn().models().size());
            JsonNode sora = null;
            JsonNode veo = null;
            for (JsonNode m : data) {
                if (m.path("id").asText().equals("sora-2")) sora = m;
                if (m.path("id").asText().equals("veo-3.1-generate-001")) veo = m;
            }
            assertThat(sora).isNotNull();
            assertThat(sora.path("seconds").path("allowed").toString()).isEqualTo("[\"4\",\"8\",\"12\"]");
            assertThat(sora.path("sizes").path("allowed").toString()).contains("720x1280", "1280x720");
            assertThat(sora.path("lifecycle").path("shutdown_date").asText()).isEqualTo("2026-09-24");
            assertThat(sora.path("price_per_second_usd").path("default").asDouble()).isEqualTo(0.10);
            assertThat(sora.path("image_roles").path("reference").path("max").asInt()).isEqualTo(1);
            assertThat(veo.path("image_roles").path("asset").path("max").asInt()).isEqualTo(3);
            assertThat(veo.path("rules").toString()).contains("forbid_roles").contains("reference images cannot be combined");
            assertThat(t.send(t.request("/v1/videos/models", null).GET()).statusCode()).isEqualTo(401);
        }
    }

    @Test
    void restartInTheMiddleOfAJobFinishesIt() throws Exception {
        String id;
        String key;
        try (OpenAiTestServer t = new OpenAiTestServer(dir, new TinyVideoBackend("local", true, 60), 5_000_000)) {
            key = t.keyA;
            OpenAIClient a = t.client(key);
            id = a.videos().create(VideoCreateParams.builder().model("framegate-local").prompt("slow")
                    .size(VideoSize.of("160x96")).seconds(VideoSeconds.of("3"))
                    .inputReference(TestImages.png(160, 96, Color.GREEN)).build()).id();
            long deadline = System.nanoTime() + 60_000_000_000L;
            Video v = a.videos().retrieve(id);
            while (!(v.status().asString().equals("in_progress") && v.progress() > 0) && System.nanoTime() < deadline) {
                Thread.sleep(50);
                v = a.videos().retrieve(id);
            }
            assertThat(v.status().asString()).isEqualTo("in_progress");
            assertThat(v.progress()).isBetween(1L, 99L);
        }
        try (OpenAiTestServer t = new OpenAiTestServer(dir, new TinyVideoBackend("local", true, 0), 5_000_000)) {
            OpenAIClient a = t.client(key);
            assertThat(a.videos().retrieve(id).status().asString()).isNotEqualTo("failed");
            Video done = OpenAiTestServer.awaitFinal(a, id);
            assertThat(done.status().asString()).isEqualTo("completed");
            Path file = dir.resolve("after-restart.mp4");
            try (var resp = a.videos().downloadContent(id); var in = resp.body()) {
                Files.write(file, in.readAllBytes());
            }
            assertThat(VideoFiles.probe(file).frames()).isEqualTo(72);
        }
    }

    @Test
    void remixOfUnfinishedVideoAndUnsupportedEndpointsAreClearErrors() throws Exception {
        try (OpenAiTestServer t = new OpenAiTestServer(dir, new TinyVideoBackend("local", true, 200), 5_000_000)) {
            HttpResponse<byte[]> created = postJson(t, "/v1/videos", "{\"model\":\"framegate-local\",\"size\":\"160x96\","
                    + "\"seconds\":\"2\",\"input_reference\":{\"image_url\":\"" + dataUrl(TestImages.png(160, 96, Color.RED)) + "\"}}");
            String id = json(created).path("id").asText();
            assertError(postJson(t, "/v1/videos/" + id + "/remix", "{\"prompt\":\"again\"}"), 400, null, "only a completed video");
            assertError(postJson(t, "/v1/videos/" + id + "/remix", "{\"prompt\":\"again\",\"seconds\":\"4\"}"), 400, "seconds", "Unknown parameter");
            assertError(t.send(t.request("/v1/videos/" + id + "/content", t.keyA).GET()), 400, null, "available once it is completed");
            assertError(postJson(t, "/v1/videos/edits", "{\"prompt\":\"x\",\"video\":{\"id\":\"" + id + "\"}}"), 400, null, "does not offer video edits");
            assertError(postJson(t, "/v1/videos/extensions", "{\"prompt\":\"x\",\"seconds\":\"1\",\"video\":{\"id\":\"video_nope\"}}"),
                    404, null, "not found");
            HttpResponse<byte[]> deleted = t.send(t.request("/v1/videos/" + id, t.keyA).DELETE());
            assertThat(deleted.statusCode()).isEqualTo(200);
            assertThat(new String(deleted.body(), StandardCharsets.UTF_8)).contains("\"object\":\"video.deleted\"");
        }
    }

    /** docs/openai-extension.md: edits and characters answer 400 {@code unsupported_endpoint}, and queue nothing. */
    @Test
    void editsAndCharactersAnswerUnsupportedEndpoint() throws Exception {
        try (OpenAiTestServer t = new OpenAiTestServer(dir, new TinyVideoBackend("local", true, 0), 200_000)) {
            List<HttpResponse<byte[]>> answers = List.of(
                    postJson(t, "/v1/videos/edits", "{\"prompt\":\"x\",\"video\":{\"id\":\"video_x\"}}"),
                    postJson(t, "/v1/videos/characters", "{\"name\":\"x\"}"),
                    t.send(t.request("/v1/videos/characters/char_1", t.keyA).GET()));
            for (HttpResponse<byte[]> r : answers) {
                assertError(r, 400, null, "Framegate does not offer");
                assertThat(json(r).path("error").path("code").asText()).isEqualTo("unsupported_endpoint");
            }
            HttpResponse<byte[]> listed = t.send(t.request("/v1/videos", t.keyA).GET());
            assertThat(json(listed).path("data").size()).as("nothing queued").isZero();
        }
    }

    /**
     * docs/openai-extension.md, Errors: every response of the surface's routes carries {@code openai-poll-after-ms}
     * (the server's poll hint, 250 ms here), successes and refusals alike; a 404 for an unknown path and a signed
     * link's answer do not.
     */
    @Test
    void everyAnswerOfTheSurfacesRoutesCarriesOpenAiPollAfterMsButUnknownPathsAndSignedLinksDoNot() throws Exception {
        try (OpenAiTestServer t = new OpenAiTestServer(dir, new TinyVideoBackend("local", true, 0), 200_000)) {
            HttpResponse<byte[]> created = postJson(t, "/v1/videos", "{\"model\":\"framegate-local\",\"size\":\"160x96\","
                    + "\"seconds\":\"1\",\"input_reference\":{\"image_url\":\"" + dataUrl(TestImages.png(160, 96, Color.RED)) + "\"}}");
            String id = json(created).path("id").asText();
            OpenAiTestServer.awaitFinal(t.client(t.keyA), id);
            java.util.Map<String, HttpResponse<byte[]>> answers = new java.util.LinkedHashMap<>();
            answers.put("create", created);
            answers.put("retrieve", t.send(t.request("/v1/videos/" + id, t.keyA).GET()));
            answers.put("list", t.send(t.request("/v1/videos", t.keyA).GET()));
            answers.put("models", t.send(t.request("/v1/videos/models", t.keyA).GET()));
            answers.put("content", t.send(t.request("/v1/videos/" + id + "/content", t.keyA).GET()));
            answers.put("events", t.send(t.request("/v1/videos/" + id + "/events", t.keyA).GET()));
            answers.put("cancel", t.send(t.request("/v1/videos/" + id + "/cancel", t.keyA).POST(HttpRequest.BodyPublishers.noBody())));
            answers.put("remix 400", postJson(t, "/v1/videos/" + id + "/remix", "{\"prompt\":\"x\",\"color\":\"red\"}"));
            answers.put("list 400", t.send(t.request("/v1/videos?limit=500", t.keyA).GET()));
            answers.put("edits 400", postJson(t, "/v1/videos/edits", "{\"prompt\":\"x\"}"));
            answers.put("no key 401", t.send(t.request("/v1/videos/" + id, null).GET()));
            answers.put("another key 404", t.send(t.request("/v1/videos/" + id, t.keyB).GET()));
            answers.put("body 413", t.send(t.request("/v1/videos", t.keyA).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"" + "x".repeat(300_000) + "\"}"))));
            answers.put("form 415", t.send(t.request("/v1/videos", t.keyA).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("prompt=x"))));
            String videoUrl = json(answers.get("retrieve")).path("video_url").asText();
            assertThat(videoUrl).contains("/content/signed?");
            HttpResponse<byte[]> signed = t.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(videoUrl)).GET());
            assertThat(signed.statusCode()).isEqualTo(200);
            assertThat(signed.headers().firstValue("openai-poll-after-ms")).as("a signed link's answer").isEmpty();
            answers.put("delete", t.send(t.request("/v1/videos/" + id, t.keyA).DELETE()));
            java.util.Map<String, Integer> expected = java.util.Map.ofEntries(java.util.Map.entry("create", 200),
                    java.util.Map.entry("retrieve", 200), java.util.Map.entry("list", 200), java.util.Map.entry("models", 200),
                    java.util.Map.entry("content", 200), java.util.Map.entry("events", 200), java.util.Map.entry("cancel", 200),
                    java.util.Map.entry("remix 400", 400), java.util.Map.entry("list 400", 400), java.util.Map.entry("edits 400", 400),
                    java.util.Map.entry("no key 401", 401), java.util.Map.entry("another key 404", 404),
                    java.util.Map.entry("body 413", 413), java.util.Map.entry("form 415", 415), java.util.Map.entry("delete", 200));
            answers.forEach((what, r) -> {
                assertThat(r.statusCode()).as(what + ": " + new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(expected.get(what));
                assertThat(r.headers().firstValue("openai-poll-after-ms")).as(what).hasValue("250");
            });

            HttpResponse<byte[]> unknown = t.send(t.request("/v1/videoz", t.keyA).GET());
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(unknown.headers().firstValue("openai-poll-after-ms")).as("an unknown path").isEmpty();
            HttpResponse<byte[]> gone = t.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(videoUrl)).GET());
            assertThat(gone.statusCode()).as("the video was deleted").isEqualTo(404);
            assertThat(gone.headers().firstValue("openai-poll-after-ms")).as("a signed link's 404").isEmpty();
        }
    }

    /**
     * docs/openai-extension.md, Keyframes (README: {@code input_references}): {@code input_references[]} is the role
     * {@code asset} on Veo 3.1 and {@code reference} elsewhere, in JSON and in both multipart forms
     * ({@code input_references[0][file]} and file parts {@code input_references[]}); {@code reference_type} picks
     * {@code asset} or {@code style} explicitly (so a model without that role refuses it), and another value is a
     * 400 naming {@code input_references[i].reference_type}. Asserted on what the backend received. A broken rule's
     * {@code param} is the field of the role it is about, or the value it is about (docs/openai-extension.md:45).
     */
    @Test
    void inputReferencesAreAssetsOnVeo31AndReferencesElsewhereInJsonAndBothMultipartForms() throws Exception {
        RecordingBackend received = new RecordingBackend(new TinyVideoBackend("local", true, 0));
        try (OpenAiTestServer t = new OpenAiTestServer(dir, received, 5_000_000)) {
            byte[] one = TestImages.png(160, 96, Color.RED);
            byte[] two = TestImages.png(160, 96, Color.BLUE);
            String veo = "\"model\":\"veo-3.1-generate-001\",\"prompt\":\"p\",\"seconds\":\"8\",\"size\":\"1280x720\"";
            String local = "\"model\":\"framegate-local\",\"prompt\":\"p\",\"seconds\":\"1\",\"size\":\"160x96\"";

            // JSON: the default role, and reference_type naming asset explicitly
            HttpResponse<byte[]> veoJson = postJson(t, "/v1/videos", "{" + veo + ",\"input_references\":[{\"image_url\":\""
                    + dataUrl(one) + "\"},{\"image_url\":\"" + dataUrl(two) + "\",\"reference_type\":\"asset\"}]}");
            RecordingBackend.Received r = receivedThenCancelled(t, received, veoJson);
            assertThat(r.model()).isEqualTo("veo-3.1-generate-001");
            assertThat(r.roles()).containsExactly("asset", "asset");
            assertThat(r.imageSha256()).containsExactly(RecordingBackend.sha256(one), RecordingBackend.sha256(two));
            HttpResponse<byte[]> localJson = postJson(t, "/v1/videos", "{" + local + ",\"input_references\":[{\"image_url\":\""
                    + dataUrl(one) + "\"}]}");
            r = receivedThenCancelled(t, received, localJson);
            assertThat(r.model()).isEqualTo("framegate-local");
            assertThat(r.roles()).containsExactly("reference");
            assertThat(r.imageSha256()).containsExactly(RecordingBackend.sha256(one));

            // multipart: input_references[0][file] and file parts input_references[]
            for (String model : List.of("veo-3.1-generate-001", "framegate-local")) {
                boolean isVeo = model.startsWith("veo");
                String role = isVeo ? "asset" : "reference";
                Multipart indexed = new Multipart().field("model", model).field("prompt", "p")
                        .field("seconds", isVeo ? "8" : "1").field("size", isVeo ? "1280x720" : "160x96")
                        .file("input_references[0][file]", "one.png", "image/png", one);
                r = receivedThenCancelled(t, received, postMultipart(t, indexed));
                assertThat(r.roles()).as(model + " input_references[0][file]").containsExactly(role);
                assertThat(r.imageSha256()).containsExactly(RecordingBackend.sha256(one));
                Multipart appended = new Multipart().field("model", model).field("prompt", "p")
                        .field("seconds", isVeo ? "8" : "1").field("size", isVeo ? "1280x720" : "160x96")
                        .file("input_references[]", "two.png", "image/png", two);
                if (isVeo) appended.file("input_references[]", "one.png", "image/png", one);
                r = receivedThenCancelled(t, received, postMultipart(t, appended));
                assertThat(r.roles()).as(model + " input_references[]").containsExactlyElementsOf(isVeo ? List.of(role, role) : List.of(role));
                assertThat(r.imageSha256().get(0)).isEqualTo(RecordingBackend.sha256(two));
            }

            // reference_type is read: asset on a model without assets and style on Veo (no style role) are refused
            assertError(postJson(t, "/v1/videos", "{" + local + ",\"input_references\":[{\"image_url\":\"" + dataUrl(one)
                    + "\",\"reference_type\":\"asset\"}]}"), 400, "input_references", "asset");
            assertError(postJson(t, "/v1/videos", "{" + veo + ",\"input_references\":[{\"image_url\":\"" + dataUrl(one)
                    + "\",\"reference_type\":\"style\"}]}"), 400, "input_references", "style");
            // a broken rule names the role's field, not the one the image came in: on Veo input_reference is the
            // first frame, which reference images exclude; a rule on another value names that value (seconds)
            assertError(postJson(t, "/v1/videos", "{" + veo + ",\"input_reference\":{\"image_url\":\"" + dataUrl(two)
                    + "\"},\"input_references\":[{\"image_url\":\"" + dataUrl(one) + "\"}]}"), 400, "frame_images",
                    "reference images cannot be combined with a first or last frame");
            assertError(postJson(t, "/v1/videos", "{" + veo.replace("\"8\"", "\"4\"") + ",\"input_references\":[{\"image_url\":\""
                    + dataUrl(one) + "\"}]}"), 400, "seconds", "reference images are only available at 8 seconds");
            // another value names the field, in JSON and multipart
            HttpResponse<byte[]> bad = postJson(t, "/v1/videos", "{" + veo + ",\"input_references\":[{\"image_url\":\""
                    + dataUrl(one) + "\",\"reference_type\":\"painting\"}]}");
            assertError(bad, 400, "input_references[0].reference_type", "'asset' and 'style'");
            assertThat(json(bad).at("/error/code").asText()).isEqualTo("invalid_value");
            assertError(postMultipart(t, new Multipart().field("model", "veo-3.1-generate-001").field("seconds", "8")
                    .file("input_references[0][file]", "one.png", "image/png", one)
                    .field("input_references[0][reference_type]", "painting")), 400, "input_references[0].reference_type", "painting");
        }
    }

    /** What the create's job handed the backend; the job is then cancelled so the next one need not wait for it. */
    private static RecordingBackend.Received receivedThenCancelled(OpenAiTestServer t, RecordingBackend backend,
                                                                   HttpResponse<byte[]> created) throws Exception {
        assertThat(created.statusCode()).as(new String(created.body())).isEqualTo(200);
        String id = json(created).path("id").asText();
        RecordingBackend.Received r = backend.received(id);
        t.send(t.request("/v1/videos/" + id + "/cancel", t.keyA).POST(HttpRequest.BodyPublishers.noBody()));
        return r;
    }

    /**
     * docs/openai-extension.md, What the web console uses: cancelling a finished (completed) video leaves it as it
     * is: the answer and a later retrieve still show it completed, with the same content.
     */
    @Test
    void cancellingACompletedVideoLeavesItAsItIs() throws Exception {
        try (OpenAiTestServer t = new OpenAiTestServer(dir, new TinyVideoBackend("local", true, 0), 5_000_000)) {
            String id = completedLocalVideo(t);
            JsonNode before = json(t.send(t.request("/v1/videos/" + id, t.keyA).GET()));
            byte[] content = t.send(t.request("/v1/videos/" + id + "/content", t.keyA).GET()).body();

            HttpResponse<byte[]> cancelled = t.send(t.request("/v1/videos/" + id + "/cancel", t.keyA)
                    .POST(HttpRequest.BodyPublishers.noBody()));
            assertThat(cancelled.statusCode()).as(new String(cancelled.body())).isEqualTo(200);
            for (JsonNode v : List.of(json(cancelled), json(t.send(t.request("/v1/videos/" + id, t.keyA).GET())))) {
                assertThat(v.path("status").asText()).as(v.toString()).isEqualTo("completed");
                assertThat(v.at("/framegate/status").asText()).isEqualTo("completed");
                assertThat(v.path("error").isNull() || v.path("error").isMissingNode()).as(v.toString()).isTrue();
                assertThat(v.path("completed_at")).isEqualTo(before.path("completed_at"));
                assertThat(v.path("progress")).isEqualTo(before.path("progress"));
            }
            HttpResponse<byte[]> after = t.send(t.request("/v1/videos/" + id + "/content", t.keyA).GET());
            assertThat(after.statusCode()).isEqualTo(200);
            assertThat(after.body()).isEqualTo(content);
        }
    }

    /**
     * docs/openai-extension.md, Decisions (Extensions): uploading a video file to extend is a 400 saying so; the
     * multipart form {@code video[id]} names the video to continue and is accepted.
     */
    @Test
    void extendingAnUploadedVideoFileIsRefusedButVideoIdInMultipartIsAccepted() throws Exception {
        try (OpenAiTestServer t = new OpenAiTestServer(dir, new TinyVideoBackend("local", true, 0), 5_000_000)) {
            String id = completedLocalVideo(t);
            byte[] mp4 = t.send(t.request("/v1/videos/" + id + "/content", t.keyA).GET()).body();

            HttpResponse<byte[]> upload = postMultipart(t, "/v1/videos/extensions", new Multipart().field("prompt", "on")
                    .field("seconds", "1").file("video", "source.mp4", "video/mp4", mp4));
            assertError(upload, 400, "video", "Extending an uploaded video file is not supported");
            assertThat(json(upload).at("/error/code").asText()).isEqualTo("unsupported_value");
            assertThat(json(upload).at("/error/message").asText()).contains("video[id]");

            HttpResponse<byte[]> byId = postMultipart(t, "/v1/videos/extensions", new Multipart().field("prompt", "on")
                    .field("seconds", "1").field("video[id]", id));
            assertThat(byId.statusCode()).as(new String(byId.body())).isEqualTo(200);
            JsonNode ext = json(byId);
            assertThat(ext.at("/framegate/extended_from_video_id").asText()).isEqualTo(id);
            assertThat(ext.path("seconds").asText()).isEqualTo("2");
            assertThat(OpenAiTestServer.awaitFinal(t.client(t.keyA), ext.path("id").asText()).status().asString())
                    .isEqualTo("completed");
            // the refused upload made no job: the source and its extension are all there is
            assertThat(json(t.send(t.request("/v1/videos", t.keyA).GET())).path("data").size()).isEqualTo(2);
        }
    }

    /** A completed 1 s 160x96 video on framegate-local; its id. */
    private static String completedLocalVideo(OpenAiTestServer t) throws Exception {
        HttpResponse<byte[]> created = postJson(t, "/v1/videos", "{\"model\":\"framegate-local\",\"size\":\"160x96\","
                + "\"seconds\":\"1\",\"input_reference\":{\"image_url\":\"" + dataUrl(TestImages.png(160, 96, Color.RED)) + "\"}}");
        assertThat(created.statusCode()).as(new String(created.body())).isEqualTo(200);
        String id = json(created).path("id").asText();
        assertThat(OpenAiTestServer.awaitFinal(t.client(t.keyA), id).status().asString()).isEqualTo("completed");
        return id;
    }
}
