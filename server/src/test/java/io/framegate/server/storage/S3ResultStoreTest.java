package io.framegate.server.storage;

import io.framegate.provider.Secret;
import io.framegate.server.config.StorageConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    /** What a request did, as S3 reads it off the wire: one PUT, an upload's start, part or completion, an abort. */
    private static String summary(RecordingRelay.Request r) {
        List<String> q = r.queryNames();
        if (r.method().equals("PUT") && q.isEmpty()) return "PUT " + r.payloadLength();
        if (r.method().equals("POST") && q.contains("uploads")) return "start upload";
        if (r.method().equals("PUT") && q.contains("partNumber")) {
            String number = r.target().replaceAll(".*[?&]partNumber=(\\d+).*", "$1");
            return "part " + number + ": " + r.payloadLength();
        }
        if (r.method().equals("POST") && q.contains("uploadId")) return "complete upload";
        if (r.method().equals("DELETE") && q.contains("uploadId")) return "abort upload";
        return r.toString();
    }

    /**
     * docs/config.md, Storage: an object below 16 MiB is one PUT; from 16 MiB on it is a multipart upload in 8 MiB
     * parts, completed once every part is in. Counted at the wire, in front of the S3 server, at the boundary.
     */
    @Test
    void anObjectBelow16MiBIsOnePutAndFrom16MiBOnAMultipartUploadIn8MiBParts() throws Exception {
        int mb8 = 8 * 1024 * 1024;
        try (RecordingRelay wire = new RecordingRelay(URI.create(s3.endpoint()));
             S3ResultStore store = new S3ResultStore(config(wire.endpoint(), S3ProxyServer.SECRET_KEY, "proxy"))) {
            Map<Integer, List<String>> expected = new LinkedHashMap<>();
            expected.put(2 * mb8 - 1, List.of("PUT " + (2 * mb8 - 1)));
            expected.put(2 * mb8, List.of("start upload", "part 1: " + mb8, "part 2: " + mb8, "complete upload"));
            expected.put(2 * mb8 + 1, List.of("start upload", "part 1: " + mb8, "part 2: " + mb8, "part 3: 1", "complete upload"));
            for (var e : expected.entrySet()) {
                int size = e.getKey();
                byte[] bytes = random(size, size);
                wire.clear();
                store.put("video_sz" + size, "0/video.mp4", bytes);
                assertThat(wire.requests()).as("%d bytes", size).extracting(S3ResultStoreTest::summary)
                        .containsExactlyElementsOf(e.getValue());
                assertThat(Arrays.equals(s3.get(BUCKET, "fg/video_sz" + size + "/0/video.mp4"), bytes)).as("%d bytes back", size).isTrue();
                store.deleteAll("video_sz" + size);
            }
        }
    }

    /**
     * docs/config.md, Storage: a multipart upload that fails is aborted. The input breaks after 10 of its 20 MiB: the
     * first part is in, the second cannot be read; the upload is aborted, no object appears and none is left open.
     */
    @Test
    void aMultipartUploadThatFailsMidwayIsAbortedAndLeavesNoUploadOpen() throws Exception {
        int size = 20 * 1024 * 1024;
        int breaksAt = 10 * 1024 * 1024;
        InputStream breaking = new InputStream() {
            private int read;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (read >= breaksAt) throw new IOException("the scratch disk failed");
                int n = Math.min(len, breaksAt - read);
                Arrays.fill(b, off, off + n, (byte) 7);
                read += n;
                return n;
            }
        };
        try (RecordingRelay wire = new RecordingRelay(URI.create(s3.endpoint()));
             S3ResultStore store = new S3ResultStore(config(wire.endpoint(), S3ProxyServer.SECRET_KEY, "proxy"))) {
            assertThatThrownBy(() -> store.put("video_ab1", "0/video.mp4", breaking, size))
                    .isInstanceOf(IOException.class).hasMessageContaining("the scratch disk failed");
            assertThat(wire.requests()).extracting(S3ResultStoreTest::summary)
                    .containsExactly("start upload", "part 1: " + 8 * 1024 * 1024, "abort upload");
        }
        assertThat(s3.client().listMultipartUploads(b -> b.bucket(BUCKET).prefix("fg/video_ab1/")).uploads()).isEmpty();
        assertThat(s3.keys(BUCKET, "fg/video_ab1/")).isEmpty();
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
