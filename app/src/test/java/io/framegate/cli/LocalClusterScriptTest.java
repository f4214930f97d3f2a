package io.framegate.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 10 item 3: {@code deploy/local-cluster.sh up 2} starts a real PostgreSQL, s3proxy and two instances sharing
 * them; a job created on instance 1 completes as seen from instance 2, its video downloads byte-identical from both,
 * and {@code down} stops every process it started. Needs PostgreSQL's binaries, as the other PostgreSQL tests.
 */
class LocalClusterScriptTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final Pattern INSTANCE = Pattern.compile("(?m)^instance (\\d+) (http://127\\.0\\.0\\.1:\\d+) pid (\\d+)$");

    @TempDir
    Path tmp;

    record Run(int code, String out) {}

    Run script(Path clusterDir, String... args) throws Exception {
        Path root = Path.of("").toAbsolutePath().getParent();
        List<String> cmd = new ArrayList<>(List.of(root.resolve("deploy/local-cluster.sh").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("FRAMEGATE_CLUSTER_DIR", clusterDir.toString());
        pb.environment().put("FRAMEGATE_CLUSTER_PORT", "18080");
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("FRAMEGATE_CLUSTER_CLASSPATH",
                System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(5, TimeUnit.MINUTES)) p.destroyForcibly();
        return new Run(p.exitValue(), out);
    }

    @Test
    void upTwoSharesOneDatabaseAndBucketAndDownStopsEverything() throws Exception {
        Assumptions.assumeTrue(System.getenv("FRAMEGATE_TEST_PG_URL") != null,
                "FRAMEGATE_TEST_PG_URL is not set (no PostgreSQL here): skipping the local cluster test; .ci/run sets it");
        Path clusterDir = tmp.resolve("cluster");
        List<Long> pids = new ArrayList<>();
        try {
            Run up = script(clusterDir, "up", "2");
            assertThat(up.code()).as(up.out()).isEqualTo(0);
            Matcher m = INSTANCE.matcher(up.out());
            List<String> urls = new ArrayList<>();
            while (m.find()) {
                urls.add(m.group(2));
                pids.add(Long.parseLong(m.group(3)));
            }
            assertThat(urls).as(up.out()).hasSize(2);
            for (String f : Files.readString(clusterDir.resolve("pids")).split("\n")) pids.add(Long.parseLong(f.split(" ")[1]));
            assertThat(up.out()).containsPattern("(?m)^database jdbc:postgresql://127\\.0\\.0\\.1:\\d+/framegate$")
                    .containsPattern("(?m)^s3 http://127\\.0\\.0\\.1:\\d+ framegate$");
            Matcher k = Pattern.compile("(?m)^api_key (\\S+)$").matcher(up.out());
            assertThat(k.find()).as(up.out()).isTrue();
            String key = k.group(1);
            // README: its state files, and a second `up` refused while this cluster is up
            assertThat(Files.readString(clusterDir.resolve("api.key")).trim()).isEqualTo(key);
            assertThat(clusterDir.resolve("admin.token")).isNotEmptyFile();
            assertThat(clusterDir.resolve("framegate.yaml")).isNotEmptyFile();
            String pidsBefore = Files.readString(clusterDir.resolve("pids"));
            Run again = script(clusterDir, "up", "1");
            assertThat(again.code()).as(again.out()).isNotZero();
            assertThat(again.out()).contains("a cluster is already up in " + clusterDir);
            assertThat(Files.readString(clusterDir.resolve("pids"))).as("the running cluster is untouched").isEqualTo(pidsBefore);

            ByteArrayOutputStream png = new ByteArrayOutputStream();
            BufferedImage img = new BufferedImage(160, 96, BufferedImage.TYPE_INT_RGB);
            var g = img.createGraphics();
            g.setColor(Color.GREEN);
            g.fillRect(0, 0, 160, 96);
            g.dispose();
            ImageIO.write(img, "png", png);
            String url = "data:image/png;base64," + Base64.getEncoder().encodeToString(png.toByteArray());
            HttpResponse<String> created = HTTP.send(request(urls.get(0) + "/v1/videos", key)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"framegate-local\",\"prompt\":\"cluster\","
                            + "\"size\":\"160x96\",\"seconds\":\"1\",\"input_reference\":{\"image_url\":\"" + url + "\"}}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
            String id = JSON.readTree(created.body()).path("id").asText();

            String status = "";
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (System.nanoTime() < deadline) {
                JsonNode job = JSON.readTree(HTTP.send(request(urls.get(1) + "/v1/videos/" + id, key).build(),
                        HttpResponse.BodyHandlers.ofString()).body());
                status = job.path("status").asText();
                if (status.equals("completed") || status.equals("failed")) break;
                Thread.sleep(200);
            }
            assertThat(status).isEqualTo("completed");
            HttpResponse<byte[]> one = HTTP.send(request(urls.get(0) + "/v1/videos/" + id + "/content", key).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            HttpResponse<byte[]> two = HTTP.send(request(urls.get(1) + "/v1/videos/" + id + "/content", key).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(one.statusCode()).isEqualTo(200);
            assertThat(two.statusCode()).isEqualTo(200);
            assertThat(one.body()).isNotEmpty().isEqualTo(two.body());
            // the video is an object of the shared bucket (s3proxy's filesystem store), not a file of either instance
            try (var objects = Files.walk(clusterDir.resolve("s3/framegate/" + id))) {
                assertThat(objects.filter(Files::isRegularFile).anyMatch(f -> sameBytes(f, one.body()))).isTrue();
            }
        } finally {
            Run down = script(clusterDir, "down");
            assertThat(down.code()).as(down.out()).isEqualTo(0);
        }
        assertThat(pids).isNotEmpty();
        for (long pid : pids) assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("pid " + pid).isFalse();
        assertThat(clusterDir).doesNotExist();
    }

    static boolean sameBytes(Path f, byte[] expected) {
        try {
            return java.util.Arrays.equals(Files.readAllBytes(f), expected);
        } catch (java.io.IOException e) {
            return false;
        }
    }

    static HttpRequest.Builder request(String url, String key) {
        return HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + key).timeout(Duration.ofSeconds(30));
    }
}
