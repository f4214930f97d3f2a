package io.framegate.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.framegate.engine.LocalEngine;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests refused before any job exists, on a server with every surface and the real offline engine as its default
 * route: HTTP the server cannot read, paths no route takes, and requests the offline engine cannot make (no image).
 * Each answer is JSON in the shape of the API its path belongs to, and none creates a job.
 */
class RefusedRequestsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    @TempDir
    static Path dir;
    private static FramegateServer server;
    private static String key;

    @BeforeAll
    static void start() throws Exception {
        server = FramegateServer.builder(ServerCoreTest.options(dir, null)).backend("local", new LocalEngine()).build().start();
        key = server.keys().create("a").secret();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    private record Reply(int status, String contentType, String body) {
        JsonNode json() throws Exception {
            return JSON.readTree(body);
        }
    }

    private static Reply send(String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(30));
        if (headers.length > 0) b.headers(headers);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
    }

    /** A request line written as is (an HTTP client would refuse or fix it), the whole answer read back. */
    private static Reply raw(String requestLine) throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write((requestLine + "\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int status = Integer.parseInt(answer.substring(9, 12));
            String headers = answer.substring(0, answer.indexOf("\r\n\r\n")).toLowerCase();
            String type = headers.lines().filter(l -> l.startsWith("content-type:")).findFirst().orElse("");
            return new Reply(status, type, answer.substring(answer.indexOf("\r\n\r\n") + 4));
        }
    }

    private static void assertOpenAiShape(Reply r, int status, String code) throws Exception {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.contentType()).contains("application/json");
        JsonNode e = r.json().path("error");
        assertThat(e.path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(e.path("code").asText()).isEqualTo(code);
        assertThat(e.has("param")).isTrue();
        assertThat(e.path("message").asText()).isNotBlank();
    }

    private static void assertGoogleShape(Reply r, int status, String googleStatus) throws Exception {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        JsonNode e = r.json().path("error");
        assertThat(e.path("code").asInt()).as(r.body()).isEqualTo(status);
        assertThat(e.path("status").asText()).isEqualTo(googleStatus);
        assertThat(e.path("message").asText()).isNotBlank();
    }

    @Test
    void httpTheServerCannotReadIsAnsweredInJsonNotAnHtmlPage() throws Exception {
        Reply nul = raw("GET /v1beta/models/veo-3.1-generate-001/operations/%00 HTTP/1.1");
        assertOpenAiShape(nul, 400, "invalid_request");
        assertThat(nul.body()).doesNotContain("<h1>").doesNotContain("Bad Message");

        Reply longUri = raw("GET /v1/videos/" + "a".repeat(10_000) + " HTTP/1.1");
        assertOpenAiShape(longUri, 414, "uri_too_long");
        assertThat(longUri.body()).doesNotContain("<h1>");

        Reply bigHeaders = raw("GET /v1/videos HTTP/1.1\r\nX-Padding: " + "a".repeat(40_000));
        assertOpenAiShape(bigHeaders, 431, "headers_too_large");
        assertThat(bigHeaders.body()).doesNotContain("<h1>");
    }

    @Test
    void aPathNoRouteTakesIsA404InTheShapeOfItsApi() throws Exception {
        assertOpenAiShape(send("GET", "/v1/nothing", null, "Authorization", "Bearer " + key), 404, "not_found");
        assertOpenAiShape(send("PUT", "/v1/videos/video_x", "{}", "Authorization", "Bearer " + key), 404, "not_found");
        // the Gemini API's and Vertex AI's prefixes answer in Google's shape, whatever the path or method
        assertGoogleShape(send("GET", "/v1beta/operations/x", null, "x-goog-api-key", key), 404, "NOT_FOUND");
        assertGoogleShape(send("GET", "/v1beta/nothing", null, "x-goog-api-key", key), 404, "NOT_FOUND");
        assertGoogleShape(send("DELETE", "/v1/projects/p/locations/us-central1/publishers/google/models/veo-3.1-generate-001",
                null, "Authorization", "Bearer " + key), 404, "NOT_FOUND");
        assertGoogleShape(send("GET", "/v1beta1/nothing", null, "Authorization", "Bearer " + key), 404, "NOT_FOUND");
    }

    @Test
    void headIsRefusedRatherThanAnsweredWithoutRunningTheRoute() throws Exception {
        // a HEAD with no credentials on routes whose GET needs them: never a 200
        for (String path : new String[] {"/admin/v1/jobs", "/metrics", "/v1/videos", "/v1/videos/video_nope/content",
                "/v1beta/models/veo-3.1-generate-001/operations/x"}) {
            HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
            assertThat(r.statusCode()).as("HEAD " + path).isEqualTo(405);
            assertThat(r.headers().firstValue("Allow")).as("HEAD " + path).hasValue("GET");
        }
    }

    @Test
    void aRequestWithoutAnImageForTheOfflineEngineIsA400AndNoJob() throws Exception {
        // sora-2 and veo-* go to the offline engine by default; it animates images, and these requests bring none
        Reply openAi = send("POST", "/v1/videos", "{\"model\":\"sora-2\",\"prompt\":\"a lake\"}",
                "Authorization", "Bearer " + key, "Content-Type", "application/json");
        assertOpenAiShape(openAi, 400, "invalid_value");
        assertThat(openAi.json().at("/error/param").asText()).isEqualTo("input_reference");
        assertThat(openAi.json().at("/error/message").asText()).contains("sora-2").contains("offline engine")
                .contains("none was given");

        Reply gemini = send("POST", "/v1beta/models/veo-3.1-generate-001:predictLongRunning",
                "{\"instances\":[{\"prompt\":\"a lake\"}],\"parameters\":{\"durationSeconds\":4}}",
                "x-goog-api-key", key, "Content-Type", "application/json");
        assertGoogleShape(gemini, 400, "INVALID_ARGUMENT");
        assertThat(gemini.json().at("/error/message").asText()).contains("veo-3.1-generate-001").contains("offline engine");
        assertThat(gemini.body()).contains("instances[0].image");

        Reply jobs = send("GET", "/v1/videos", null, "Authorization", "Bearer " + key);
        assertThat(jobs.status()).isEqualTo(200);
        assertThat(jobs.json().path("data")).as(jobs.body()).isEmpty();
    }

    /**
     * A JSON body that gives a key twice in one object is refused, never read last-wins: a 400 naming the key (as a
     * path from the body's root) in the shape of each API that reads JSON bodies, the admin API's included. None
     * creates a job or a key, and nothing reaches the ledger.
     */
    @Test
    void aJsonBodyWithADuplicatedKeyIsA400NamingTheKeyAndCreatesNothing() throws Exception {
        String png = java.util.Base64.getEncoder().encodeToString(TestImages.png(160, 96, java.awt.Color.ORANGE));
        String image = "{\"image_url\":\"data:image/png;base64," + png + "\"}";
        long ledgerRows = ledgerRows();

        Reply top = send("POST", "/v1/videos", "{\"model\":\"sora-2\",\"model\":\"framegate-local\",\"prompt\":\"p\","
                + "\"size\":\"160x96\",\"seconds\":\"1\",\"input_reference\":" + image + "}",
                "Authorization", "Bearer " + key, "Content-Type", "application/json");
        assertOpenAiShape(top, 400, "duplicate_parameter");
        assertThat(top.json().at("/error/param").asText()).isEqualTo("model");
        assertThat(top.json().at("/error/message").asText()).contains("'model'");
        Reply nested = send("POST", "/v1/videos", "{\"model\":\"framegate-local\",\"prompt\":\"p\",\"size\":\"160x96\","
                + "\"seconds\":\"1\",\"input_reference\":{\"image_url\":\"https://example.com/a.png\",\"image_url\":\"data:"
                + "image/png;base64," + png + "\"}}", "Authorization", "Bearer " + key, "Content-Type", "application/json");
        assertOpenAiShape(nested, 400, "duplicate_parameter");
        assertThat(nested.json().at("/error/param").asText()).isEqualTo("input_reference.image_url");

        String instance = "{\"prompt\":\"p\",\"image\":{\"bytesBase64Encoded\":\"" + png + "\",\"mimeType\":\"image/png\"}}";
        Reply gemini = send("POST", "/v1beta/models/framegate-local:predictLongRunning", "{\"instances\":[" + instance
                        + "],\"parameters\":{\"resolution\":\"144p\",\"durationSeconds\":1,\"durationSeconds\":4}}",
                "x-goog-api-key", key, "Content-Type", "application/json");
        assertGoogleShape(gemini, 400, "INVALID_ARGUMENT");
        assertThat(gemini.json().at("/error/details/0/fieldViolations/0/field").asText()).isEqualTo("parameters.durationSeconds");
        assertThat(gemini.json().at("/error/message").asText()).contains("parameters.durationSeconds");
        String vertex = "/v1/publishers/google/models/framegate-local";
        Reply vertexCreate = send("POST", vertex + ":predictLongRunning", "{\"instances\":[" + instance.replace("\"prompt\":\"p\"",
                        "\"prompt\":\"p\",\"prompt\":\"q\"") + "],\"parameters\":{\"resolution\":\"144p\",\"durationSeconds\":1}}",
                "Authorization", "Bearer " + key, "Content-Type", "application/json");
        assertGoogleShape(vertexCreate, 400, "INVALID_ARGUMENT");
        assertThat(vertexCreate.json().at("/error/details/0/fieldViolations/0/field").asText()).isEqualTo("instances[0].prompt");
        Reply vertexFetch = send("POST", vertex + ":fetchPredictOperation", "{\"operationName\":\"a\",\"operationName\":\"b\"}",
                "Authorization", "Bearer " + key, "Content-Type", "application/json");
        assertGoogleShape(vertexFetch, 400, "INVALID_ARGUMENT");
        assertThat(vertexFetch.json().at("/error/details/0/fieldViolations/0/field").asText()).isEqualTo("operationName");

        String admin = "Bearer " + java.nio.file.Files.readString(dir.resolve(io.framegate.server.admin.AdminToken.FILE)).trim();
        Reply adminKey = send("POST", "/admin/v1/keys", "{\"name\":\"ci\",\"name\":\"other\"}",
                "Authorization", admin, "Content-Type", "application/json");
        assertThat(adminKey.status()).as(adminKey.body()).isEqualTo(400);
        assertThat(adminKey.json().at("/error/param").asText()).isEqualTo("name");
        assertThat(adminKey.json().at("/error/message").asText()).contains("'name'");
        assertThat(server.keys().list()).extracting(k -> k.name()).doesNotContain("ci", "other");

        Reply jobs = send("GET", "/v1/videos", null, "Authorization", "Bearer " + key);
        assertThat(jobs.json().path("data")).as(jobs.body()).isEmpty();
        assertThat(ledgerRows()).isEqualTo(ledgerRows);
        // a key given once is fine, even where its value spells the key again
        Reply once = send("POST", "/admin/v1/keys", "{\"name\":\"name\"}", "Authorization", admin,
                "Content-Type", "application/json");
        assertThat(once.status()).as(once.body()).isEqualTo(201);
    }

    /**
     * Numbers and base64 the request got wrong are refused naming the field, echoing the value as sent and saying the
     * rule: a whole number too large for any field is out of the field's range (not "not a whole number"), a number
     * beyond a double is echoed as a number (never "Infinity"), and bad base64 says which character, where, in
     * Framegate's words rather than the decoder's.
     */
    @Test
    void numbersAndBase64AreRefusedEchoingTheValueSentAndSayingTheRule() throws Exception {
        String huge = "99999999999999999999999";
        String png = java.util.Base64.getEncoder().encodeToString(TestImages.png(160, 96, java.awt.Color.ORANGE));
        String image = "\"input_reference\":{\"image_url\":\"data:image/png;base64," + png + "\"}";
        String[][] openAi = {
                // body, param, parts of the message
                {"{\"model\":\"sora-2\",\"prompt\":\"p\",\"seconds\":" + huge + "," + image + "}", "seconds",
                        "'" + huge + "'", "out of range", "4, 8, 12"},
                {"{\"model\":\"sora-2\",\"prompt\":\"p\",\"seconds\":\"" + huge + "\"," + image + "}", "seconds",
                        "'" + huge + "'", "out of range", "4, 8, 12"},
                {"{\"model\":\"framegate-local\",\"seed\":" + huge + "," + image + "}", "seed",
                        "'" + huge + "'", "out of range", "0..4294967295"},
                {"{\"model\":\"framegate-local\",\"seed\":1e400," + image + "}", "seed",
                        "1E+400", "out of range", "0..4294967295"},
                {"{\"model\":\"framegate-local\",\"seed\":1.5," + image + "}", "seed",
                        "'1.5'", "whole number", "0..4294967295"},
                {"{\"model\":\"framegate-local\",\"input_reference\":{\"image_url\":\"data:image/png;base64,iVBO!Rw0KGgo\"}}",
                        "input_reference.image_url", "invalid base64", "'!'", "character 5"},
        };
        for (String[] c : openAi) {
            Reply r = send("POST", "/v1/videos", c[0], "Authorization", "Bearer " + key, "Content-Type", "application/json");
            assertOpenAiShape(r, 400, r.json().at("/error/code").asText());
            assertThat(r.json().at("/error/param").asText()).as(r.body()).isEqualTo(c[1]);
            String message = r.json().at("/error/message").asText();
            for (int i = 2; i < c.length; i++) assertThat(message).as(c[0]).contains(c[i]);
            assertThat(message).doesNotContain("Infinity").doesNotContain("Illegal base64").doesNotContain("must be a whole number, e.g.");
        }
        // a seed the rules allow is not refused for being larger than an int
        Reply bigSeed = send("POST", "/v1/videos", "{\"model\":\"framegate-local\",\"seed\":3000000000,\"size\":\"7x7\","
                + image + "}", "Authorization", "Bearer " + key, "Content-Type", "application/json");
        assertThat(bigSeed.status()).as(bigSeed.body()).isEqualTo(400);
        assertThat(bigSeed.json().at("/error/param").asText()).as(bigSeed.body()).isEqualTo("size");
        assertThat(bigSeed.json().at("/error/message").asText()).doesNotContain("seed");

        String instance = "{\"prompt\":\"p\",\"image\":{\"bytesBase64Encoded\":\"" + png + "\",\"mimeType\":\"image/png\"}}";
        String[][] veo = {
                {"{\"instances\":[" + instance + "],\"parameters\":{\"seed\":" + huge + "}}", "parameters.seed",
                        "parameters.seed=" + huge, "out of range", "0..4294967295"},
                {"{\"instances\":[" + instance + "],\"parameters\":{\"seed\":1e400}}", "parameters.seed",
                        "parameters.seed=1E+400", "out of range", "0..4294967295"},
                {"{\"instances\":[{\"prompt\":\"p\",\"image\":{\"bytesBase64Encoded\":\"iVBO!Rw0KGgo\",\"mimeType\":\"image/png\"}}]}",
                        "instances[0].image.bytesBase64Encoded", "not valid base64", "'!'", "character 5"},
                {"{\"instances\":[{\"prompt\":\"p\",\"image\":{\"bytesBase64Encoded\":\"iVBO=Rw0\",\"mimeType\":\"image/png\"}}]}",
                        "instances[0].image.bytesBase64Encoded", "not valid base64", "character 5 is '=' padding"},
                {"{\"instances\":[{\"prompt\":\"p\",\"image\":{\"bytesBase64Encoded\":\"iVBORw0KG\",\"mimeType\":\"image/png\"}}]}",
                        "instances[0].image.bytesBase64Encoded", "not valid base64", "9 base64 characters", "cut short"},
                {"{\"instances\":[" + instance + "],\"parameters\":{\"seed\":4.5}}", "parameters.seed",
                        "got 4.5", "0..4294967295"},
        };
        for (String[] c : veo) {
            Reply r = send("POST", "/v1beta/models/framegate-local:predictLongRunning", c[0], "x-goog-api-key", key,
                    "Content-Type", "application/json");
            assertGoogleShape(r, 400, "INVALID_ARGUMENT");
            assertThat(r.json().at("/error/details/0/fieldViolations/0/field").asText()).as(r.body()).isEqualTo(c[1]);
            String message = r.json().at("/error/message").asText();
            for (int i = 2; i < c.length; i++) assertThat(message).as(c[0]).contains(c[i]);
            assertThat(message).doesNotContain("Infinity").doesNotContain("Illegal base64");
            if (c[2].contains("=")) assertThat(message).as("a whole number is not refused as none").doesNotContain("whole number");
        }
        Reply jobs = send("GET", "/v1/videos", null, "Authorization", "Bearer " + key);
        assertThat(jobs.json().path("data")).as(jobs.body()).isEmpty();
    }

    /**
     * A number whose exponent is beyond what an exact decimal holds ({@code 1.0e-2147483647}), anywhere in a body, even
     * under a key no surface reads, is a 400 in the shape of the surface saying where the number is, never a 500.
     */
    @Test
    void aNumberWithAnExponentBeyondAnyDecimalIsA400SayingWhereItIs() throws Exception {
        for (String number : new String[] {"1.0e-2147483647", "0e-2147483648", "1e-2147483649"}) {
            Reply openAi = send("POST", "/v1/videos", "{\"model\":\"sora-2\",\"prompt\":\"x\",\"x\":" + number + "}",
                    "Authorization", "Bearer " + key, "Content-Type", "application/json");
            assertOpenAiShape(openAi, 400, "invalid_json");
            assertThat(openAi.json().at("/error/message").asText()).as(number)
                    .contains("a number at line 1, column 36 is out of range");

            Reply gemini = send("POST", "/v1beta/models/veo-3.1-generate-001:predictLongRunning",
                    "{\"instances\":[{\"prompt\":\"x\"}],\n\"parameters\":{\"x\":" + number + "}}",
                    "x-goog-api-key", key, "Content-Type", "application/json");
            assertGoogleShape(gemini, 400, "INVALID_ARGUMENT");
            assertThat(gemini.json().at("/error/message").asText()).as(number)
                    .contains("a number at line 2, column 19 is out of range");

            String admin = "Bearer " + java.nio.file.Files.readString(dir.resolve(io.framegate.server.admin.AdminToken.FILE)).trim();
            Reply adminKey = send("POST", "/admin/v1/keys", "{\"name\":\"n\",\"x\":" + number + "}",
                    "Authorization", admin, "Content-Type", "application/json");
            assertThat(adminKey.status()).as(adminKey.body()).isEqualTo(400);
            assertThat(adminKey.json().at("/error/message").asText()).as(number)
                    .contains("a number at line 1, column 17 is out of range");
        }
        assertThat(server.keys().list()).extracting(k -> k.name()).doesNotContain("n");
        Reply jobs = send("GET", "/v1/videos", null, "Authorization", "Bearer " + key);
        assertThat(jobs.json().path("data")).as(jobs.body()).isEmpty();
    }

    /**
     * A whole number spelled with an exponent near an int's limit ({@code 100e2147483647}) is out of the field's range
     * and a tiny fraction ({@code 1e-500000000}) is no whole number: a 400 naming the field either way, said without
     * ever writing such a number out in full, never a 500.
     */
    @Test
    void aWholeNumberWithAnExponentNearTheLimitIsOutOfRangeNotA500() throws Exception {
        String png = java.util.Base64.getEncoder().encodeToString(TestImages.png(160, 96, java.awt.Color.ORANGE));
        String image = "\"input_reference\":{\"image_url\":\"data:image/png;base64," + png + "\"}";
        String instance = "{\"prompt\":\"p\",\"image\":{\"bytesBase64Encoded\":\"" + png + "\",\"mimeType\":\"image/png\"}}";
        for (String huge : new String[] {"100e2147483647", "1000e2147483646", "-100e2147483647"}) {
            for (String field : new String[] {"seconds", "seed"}) {
                Reply r = send("POST", "/v1/videos", "{\"model\":\"sora-2\",\"prompt\":\"p\",\"" + field + "\":" + huge
                        + "," + image + "}", "Authorization", "Bearer " + key, "Content-Type", "application/json");
                assertOpenAiShape(r, 400, "invalid_value");
                assertThat(r.json().at("/error/param").asText()).as(r.body()).isEqualTo(field);
                assertThat(r.json().at("/error/message").asText()).as(r.body()).contains("out of range");
            }
            for (String field : new String[] {"durationSeconds", "seed", "fps", "sampleCount"}) {
                Reply r = send("POST", "/v1beta/models/framegate-local:predictLongRunning", "{\"instances\":[" + instance
                        + "],\"parameters\":{\"" + field + "\":" + huge + "}}", "x-goog-api-key", key,
                        "Content-Type", "application/json");
                assertGoogleShape(r, 400, "INVALID_ARGUMENT");
                assertThat(r.json().at("/error/details/0/fieldViolations/0/field").asText()).as(r.body())
                        .isEqualTo("parameters." + field);
                assertThat(r.json().at("/error/message").asText()).as(r.body()).contains("out of range");
            }
        }
        for (String tiny : new String[] {"1e-500000000", "123e-2147483647"}) {
            Reply r = send("POST", "/v1/videos", "{\"model\":\"sora-2\",\"prompt\":\"p\",\"seed\":" + tiny + "," + image
                    + "}", "Authorization", "Bearer " + key, "Content-Type", "application/json");
            assertOpenAiShape(r, 400, "invalid_value");
            assertThat(r.json().at("/error/message").asText()).as(r.body()).contains("must be a whole number");
            Reply v = send("POST", "/v1beta/models/framegate-local:predictLongRunning", "{\"instances\":[" + instance
                    + "],\"parameters\":{\"durationSeconds\":" + tiny + "}}", "x-goog-api-key", key,
                    "Content-Type", "application/json");
            assertGoogleShape(v, 400, "INVALID_ARGUMENT");
            assertThat(v.json().at("/error/message").asText()).as(v.body()).contains("must be a whole number");
        }
        Reply jobs = send("GET", "/v1/videos", null, "Authorization", "Bearer " + key);
        assertThat(jobs.json().path("data")).as(jobs.body()).isEmpty();
    }

    private static long ledgerRows() {
        return server.database().jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM ledger").mapTo(Long.class).one());
    }
}
