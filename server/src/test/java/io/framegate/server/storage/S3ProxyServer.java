package io.framegate.server.storage;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real S3 protocol server for tests: s3proxy (Maven Central, copied to {@code target/s3proxy/s3proxy.jar} by the
 * build) as its own process on loopback, storing into a temporary directory, with signature checking on. Its Jetty 12
 * would clash with Javalin's Jetty 11 in this JVM, hence the process.
 */
public final class S3ProxyServer implements AutoCloseable {
    public static final String ACCESS_KEY = "fg-test-access-AKIA7EXAMPLE";
    public static final String SECRET_KEY = "fg-test-secret-wJalrXUtnFEMI-K7MDENG-bPxRfiCY";

    private final Process process;
    private final int port;
    private final S3Client client;

    public S3ProxyServer(Path dir) throws Exception {
        Path jar = Path.of("target", "s3proxy", "s3proxy.jar").toAbsolutePath();
        if (!Files.isRegularFile(jar)) throw new IllegalStateException(jar + " is missing: run the tests through Maven");
        Path blobs = Files.createDirectories(dir.resolve("s3-blobs"));
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Path props = dir.resolve("s3proxy.properties");
        Files.writeString(props, String.join("\n",
                "s3proxy.endpoint=http://127.0.0.1:" + port,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + ACCESS_KEY,
                "s3proxy.credential=" + SECRET_KEY,
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + blobs,
                ""));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        process = new ProcessBuilder(java.toString(), "-Xmx256m", "-jar", jar.toString(), "--properties", props.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("s3proxy.log").toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", port), 500);
                break;
            } catch (IOException notYet) {
                if (!process.isAlive()) throw new IllegalStateException("s3proxy exited: " + Files.readString(dir.resolve("s3proxy.log")));
                if (System.nanoTime() > deadline) throw new IllegalStateException("s3proxy did not listen on " + port);
                Thread.sleep(100);
            }
        }
        client = S3Client.builder().region(Region.US_EAST_1).endpointOverride(URI.create(endpoint()))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .forcePathStyle(true).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** The test's own view of the bucket (not through Framegate). */
    public S3Client client() {
        return client;
    }

    public void createBucket(String bucket) {
        client.createBucket(b -> b.bucket(bucket));
    }

    /** Every key in the bucket under {@code prefix}. */
    public List<String> keys(String bucket, String prefix) {
        return client.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents().stream().map(S3Object::key).toList();
    }

    public byte[] get(String bucket, String key) {
        return client.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
    }

    /** The environment a server reads {@code access_key_env}/{@code secret_key_env} from. */
    public static Map<String, String> env() {
        return Map.of("FG_S3_ACCESS", ACCESS_KEY, "FG_S3_SECRET", SECRET_KEY);
    }

    /** A {@code storage} section for this server. */
    public String storageYaml(String bucket, String prefix, String downloads) {
        return "storage:\n  type: s3\n  endpoint: " + endpoint() + "\n  bucket: " + bucket + "\n  region: us-east-1\n"
                + "  prefix: " + prefix + "\n  path_style: true\n  access_key_env: FG_S3_ACCESS\n"
                + "  secret_key_env: FG_S3_SECRET\n  downloads: " + downloads + "\n";
    }

    @Override
    public void close() throws InterruptedException {
        client.close();
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
    }
}
