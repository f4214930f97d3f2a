package io.framegate.server.storage;

import io.framegate.provider.Secret;
import io.framegate.server.config.StorageConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link S3ResultStore} against a real S3 protocol server (s3proxy): puts, ranged reads, multipart, deletes, errors. */
class S3ResultStoreTest {
    private static final String BUCKET = "fg-store";
    @TempDir
    static Path dir;
    static S3ProxyServer s3;

    @BeforeAll
    static void startS3() throws Exception {
        s3 = new S3ProxyServer(dir);
        s3.createBucket(BUCKET);
    }

    @AfterAll
    static void stopS3() throws Exception {
        if (s3 != null) s3.close();
    }

    private static StorageConfig config(String endpoint, String secret, String downloads) {
        return new StorageConfig("s3", endpoint, BUCKET, "us-east-1", "fg/", true,
                new Secret(S3ProxyServer.ACCESS_KEY, "test"), new Secret(secret, "test"), downloads);
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void smallObjectsRoundTripWithRangesAndAreListedAndDeletedByJob() throws Exception {
        try (S3ResultStore store = new S3ResultStore(config(s3.endpoint(), S3ProxyServer.SECRET_KEY, "proxy"))) {
            byte[] video = random(100_000, 1);
            store.put("video_a1", "0/video.mp4", video);
            store.put("video_a1", "input-0", random(500, 2));
            store.put("video_a2", "0/video.mp4", random(10, 3));
            assertThat(s3.keys(BUCKET, "fg/video_a1/")).containsExactlyInAnyOrder("fg/video_a1/0/video.mp4", "fg/video_a1/input-0");
            assertThat(s3.client().headObject(b -> b.bucket(BUCKET).key("fg/video_a1/0/video.mp4")).contentType()).isEqualTo("video/mp4");

            StoredObject o = store.open("video_a1", "0/video.mp4").orElseThrow();
            assertThat(o.size()).isEqualTo(video.length);
            assertThat(o.readAllBytes()).isEqualTo(video);
            try (InputStream in = o.openRange(1000, 234)) {
                assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(video, 1000, 1234));
            }
            try (InputStream in = o.openRange(video.length - 1, 1)) {
                assertThat(in.readAllBytes()).containsExactly(video[video.length - 1]);
            }
            assertThat(o.downloadUrl()).isEmpty(); // downloads: proxy
            assertThat(store.open("video_a1", "1/video.mp4")).isEmpty();
            assertThat(store.open("video_zz", "0/video.mp4")).isEmpty();

            assertThat(store.list("video_a1")).containsExactlyInAnyOrder("0/video.mp4", "input-0");
            store.delete("video_a1", "input-0");
            store.delete("video_a1", "input-0"); // absent is fine
            assertThat(store.list("video_a1")).containsExactly("0/video.mp4");
            store.deleteAll("video_a1");
            store.deleteAll("video_a1");
            assertThat(s3.keys(BUCKET, "fg/video_a1/")).isEmpty();
            assertThat(s3.keys(BUCKET, "fg/video_a2/")).hasSize(1); // another job's files stay
            assertThatThrownBy(() -> store.put("../etc", "x", new byte[1])).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.put("video_a1", "../x", new byte[1])).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aLargeFileGoesUpInPartsAndReadsBackExactly() throws Exception {
        int size = 40 * 1024 * 1024 + 12_345;
        byte[] big = random(size, 4);
        Path file = dir.resolve("big.mp4");
        Files.write(file, big);
        try (S3ResultStore store = new S3ResultStore(config(s3.endpoint(), S3ProxyServer.SECRET_KEY, "proxy"))) {
            long t0 = System.nanoTime();
            store.put("video_big", "0/video.mp4", file);
            long putNanos = System.nanoTime() - t0;
            assertThat(file).doesNotExist(); // moved into the store, like the local one
            String etag = s3.client().headObject(b -> b.bucket(BUCKET).key("fg/video_big/0/video.mp4")).eTag();
            // a multipart object's ETag is "<md5 of the parts' md5s>-<number of parts>": 40 MB in 8 MB parts = 6
            assertThat(etag.replace("\"", "")).endsWith("-6");

            StoredObject o = store.open("video_big", "0/video.mp4").orElseThrow();
            assertThat(o.size()).isEqualTo(size);
            long t1 = System.nanoTime();
            byte[] back = o.readAllBytes();
            long getNanos = System.nanoTime() - t1;
            assertThat(Arrays.equals(back, big)).isTrue();
            try (InputStream in = o.openRange(size - 100_000, 100_000)) {
                assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(big, size - 100_000, size));
            }
            double mb = size / 1e6;
            System.out.printf("s3proxy throughput (%.1f MB object): put %.0f MB/s (multipart), get %.0f MB/s%n",
                    mb, mb / (putNanos / 1e9), mb / (getNanos / 1e9));
            store.deleteAll("video_big");
        }
        assertThat(s3.client().listMultipartUploads(b -> b.bucket(BUCKET)).uploads()).isEmpty();
    }

    @Test
    void redirectDownloadsArePresignedUrlsThatNeedNoOtherCredential() throws Exception {
        byte[] video = random(70_000, 5);
        try (S3ResultStore store = new S3ResultStore(config(s3.endpoint(), S3ProxyServer.SECRET_KEY, "redirect"))) {
            store.put("video_r1", "0/video.mp4", video);
            URI url = store.open("video_r1", "0/video.mp4").orElseThrow().downloadUrl().orElseThrow();
            assertThat(url.toString()).contains("X-Amz-Signature", "X-Amz-Expires=300").doesNotContain(S3ProxyServer.SECRET_KEY);
            HttpResponse<byte[]> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(url).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo(video);
            // the signature is what lets it through: the same URL without it is refused
            URI unsigned = URI.create(url.toString().substring(0, url.toString().indexOf('?')));
            assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(unsigned).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(403);
        }
    }

    @Test
    void storageFailuresNameStatusAndRequestIdButNoCredential() throws Exception {
        try (S3ResultStore wrong = new S3ResultStore(config(s3.endpoint(), "not-the-secret-0123456789", "proxy"))) {
            assertThatThrownBy(() -> wrong.put("video_e1", "input-0", new byte[10]))
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("put of fg/video_e1/input-0 answered HTTP 403")
                    .hasMessageContaining("S3 request id")
                    .hasNoCause()
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain(S3ProxyServer.ACCESS_KEY,
                            "not-the-secret-0123456789", S3ProxyServer.SECRET_KEY));
        }
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        try (S3ResultStore gone = new S3ResultStore(config("http://127.0.0.1:" + closedPort, S3ProxyServer.SECRET_KEY, "proxy"))) {
            assertThatThrownBy(() -> gone.open("video_e1", "0/video.mp4"))
                    .isInstanceOf(StorageException.class).hasMessageContaining("not reachable").hasNoCause();
        }
    }
}
