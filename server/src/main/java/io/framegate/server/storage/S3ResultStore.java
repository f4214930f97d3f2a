package io.framegate.server.storage;

import io.framegate.server.config.StorageConfig;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Jobs' files as objects {@code <prefix><jobId>/<name>} of an S3-compatible bucket, so every instance sees every
 * job's inputs and results. Nothing is written to local disk. An object is stored by one PUT (or, from
 * {@link #MULTIPART_THRESHOLD} on, by a multipart upload that is completed only once every part is in), so a
 * returned put is durable and a reader never sees half an object.
 */
public final class S3ResultStore implements ResultStore, AutoCloseable {
    /** Objects from this size on go up in parts of {@link #PART_SIZE}. */
    public static final long MULTIPART_THRESHOLD = 16L * 1024 * 1024;
    static final int PART_SIZE = 8 * 1024 * 1024;
    /** How long a presigned download URL ({@code downloads: redirect}) stays valid. */
    static final Duration PRESIGN_TTL = Duration.ofMinutes(5);
    private static final Pattern JOB_ID = Pattern.compile("video_[0-9a-f]{32}");
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9_-]{1,100}");
    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,100}(/[A-Za-z0-9_.-]{1,100}){0,3}");

    private final S3Client s3;
    private final S3Presigner presigner;
    private final String bucket;
    private final String prefix;
    private final boolean redirect;

    public S3ResultStore(StorageConfig c) {
        if (!c.isS3()) throw new IllegalArgumentException("not an s3 storage section: " + c);
        AwsCredentialsProvider creds = c.accessKey() != null
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create(c.accessKey().reveal(), c.secretKey().reveal()))
                : DefaultCredentialsProvider.builder().build();
        Region region = Region.of(c.region());
        S3Configuration s3conf = S3Configuration.builder().pathStyleAccessEnabled(c.pathStyle()).build();
        var builder = S3Client.builder().region(region).credentialsProvider(creds).serviceConfiguration(s3conf)
                .httpClientBuilder(UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(10))
                        .socketTimeout(Duration.ofSeconds(60)))
                // S3-compatible services vary in their support of the newer trailing checksums; send them only when
                // an operation requires one (PUTs are still signed over their payload)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        var presign = S3Presigner.builder().region(region).credentialsProvider(creds).serviceConfiguration(s3conf);
        if (c.endpoint() != null) {
            builder.endpointOverride(URI.create(c.endpoint()));
            presign.endpointOverride(URI.create(c.endpoint()));
        }
        this.s3 = builder.build();
        this.presigner = presign.build();
        this.bucket = c.bucket();
        this.prefix = c.prefix();
        this.redirect = c.redirectDownloads();
    }

    @Override
    public void put(String jobId, String name, byte[] bytes) throws IOException {
        put(jobId, name, new ByteArrayInputStream(bytes), bytes.length);
    }

    /** Uploads the file, then deletes it (the local store moves it; here it is a scratch file no longer needed). */
    @Override
    public void put(String jobId, String name, Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            put(jobId, name, in, Files.size(file));
        }
        Files.deleteIfExists(file);
    }

    /** A stream of unknown length is spooled to a scratch file first (S3 needs the length), then uploaded. */
    @Override
    public void put(String jobId, String name, InputStream in) throws IOException {
        Path tmp = Files.createTempFile("framegate-s3-", ".part");
        try {
            Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            put(jobId, name, tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Stores exactly {@code size} bytes of {@code in}; in parts when large, so memory stays at one part. */
    public void put(String jobId, String name, InputStream in, long size) throws IOException {
        String key = key(jobId, name);
        String type = contentType(name);
        if (size < MULTIPART_THRESHOLD) {
            byte[] bytes = in.readNBytes((int) size);
            if (bytes.length != size) throw new IOException("short input for " + name + ": " + bytes.length + " of " + size + " bytes");
            call("put", key, () -> s3.putObject(b -> b.bucket(bucket).key(key).contentType(type), RequestBody.fromBytes(bytes)));
            return;
        }
        String uploadId = call("start upload", key, () -> s3.createMultipartUpload(b -> b.bucket(bucket).key(key)
                .contentType(type))).uploadId();
        try {
            List<CompletedPart> parts = new ArrayList<>();
            long left = size;
            for (int n = 1; left > 0; n++) {
                byte[] part = in.readNBytes((int) Math.min(PART_SIZE, left));
                if (part.length == 0) throw new IOException("short input for " + name + ": " + (size - left) + " of " + size + " bytes");
                left -= part.length;
                int number = n;
                String etag = call("upload part", key, () -> s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                        .partNumber(number).contentLength((long) part.length), RequestBody.fromBytes(part))).eTag();
                parts.add(CompletedPart.builder().partNumber(n).eTag(etag).build());
            }
            call("complete upload", key, () -> s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                    .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build())));
        } catch (IOException | RuntimeException e) {
            try {
                call("abort upload", key, () -> s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)));
            } catch (IOException abortFailed) {
                e.addSuppressed(abortFailed); // a bucket lifecycle rule removes what is left (docs/config.md)
            }
            throw e;
        }
    }

    @Override
    public Optional<StoredObject> open(String jobId, String name) throws IOException {
        String key = key(jobId, name);
        HeadObjectResponse head;
        try {
            head = call("head", key, () -> s3.headObject(b -> b.bucket(bucket).key(key)));
        } catch (NotFound e) {
            return Optional.empty();
        }
        long size = head.contentLength();
        return Optional.of(new StoredObject() {
            @Override
            public long size() {
                return size;
            }

            @Override
            public InputStream openRange(long offset, long length) throws IOException {
                if (length <= 0) return InputStream.nullInputStream();
                String range = "bytes=" + offset + "-" + (offset + length - 1);
                return call("get", key, () -> s3.getObject(b -> b.bucket(bucket).key(key).range(range)));
            }

            @Override
            public Optional<URI> downloadUrl() throws IOException {
                if (!redirect) return Optional.empty();
                return Optional.of(call("presign", key, () -> presigner.presignGetObject(p -> p.signatureDuration(PRESIGN_TTL)
                        .getObjectRequest(g -> g.bucket(bucket).key(key))).url().toURI()));
            }
        });
    }

    @Override
    public void delete(String jobId, String name) throws IOException {
        String key = key(jobId, name);
        call("delete", key, () -> s3.deleteObject(b -> b.bucket(bucket).key(key))); // absent is a success in S3
    }

    @Override
    public void deleteAll(String jobId) throws IOException {
        String dir = prefix + checkId(jobId) + "/";
        for (String key : keysUnder(dir)) {
            call("delete", key, () -> s3.deleteObject(b -> b.bucket(bucket).key(key)));
        }
    }

    /** The keys of the job's objects (the sweeper's list by job). */
    public List<String> list(String jobId) throws IOException {
        String dir = prefix + checkId(jobId) + "/";
        return keysUnder(dir).stream().map(k -> k.substring(dir.length())).toList();
    }

    /** Job ids with objects under the prefix (one listing entry per job: {@code <prefix><jobId>/}). */
    @Override
    public List<String> storedJobIds() throws IOException {
        List<String> ids = new ArrayList<>();
        String token = null;
        do {
            String t = token;
            ListObjectsV2Response page = call("list", prefix, () -> s3.listObjectsV2(b -> b.bucket(bucket).prefix(prefix)
                    .delimiter("/").continuationToken(t)));
            for (var p : page.commonPrefixes()) {
                String id = p.prefix().substring(prefix.length(), p.prefix().length() - 1);
                // only what this store writes: other keys sharing the bucket or prefix are never touched
                if (JOB_ID.matcher(id).matches()) ids.add(id);
            }
            token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
        } while (token != null);
        return ids;
    }

    @Override
    public Optional<java.time.Instant> lastWritten(String jobId) throws IOException {
        String dir = prefix + checkId(jobId) + "/";
        java.time.Instant newest = null;
        String token = null;
        do {
            String t = token;
            ListObjectsV2Response page = call("list", dir, () -> s3.listObjectsV2(b -> b.bucket(bucket).prefix(dir).continuationToken(t)));
            for (S3Object o : page.contents()) {
                if (newest == null || o.lastModified().isAfter(newest)) newest = o.lastModified();
            }
            token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
        } while (token != null);
        return Optional.ofNullable(newest);
    }

    private List<String> keysUnder(String dir) throws IOException {
        List<String> keys = new ArrayList<>();
        String token = null;
        do {
            String t = token;
            ListObjectsV2Response page = call("list", dir, () -> s3.listObjectsV2(b -> b.bucket(bucket).prefix(dir).continuationToken(t)));
            for (S3Object o : page.contents()) keys.add(o.key());
            token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
        } while (token != null);
        return keys;
    }

    private String key(String jobId, String name) {
        if (name == null || !SAFE_NAME.matcher(name).matches() || name.contains("..")) {
            throw new IllegalArgumentException("not a storable file name: " + name);
        }
        return prefix + checkId(jobId) + "/" + name;
    }

    private static String checkId(String jobId) {
        if (jobId == null || !SAFE_ID.matcher(jobId).matches()) throw new IllegalArgumentException("not a job id: " + jobId);
        return jobId;
    }

    private static String contentType(String name) {
        String n = name.toLowerCase(java.util.Locale.ROOT);
        if (n.endsWith(".mp4")) return "video/mp4";
        if (n.endsWith(".png")) return "image/png";
        if (n.endsWith(".jpg") || n.endsWith(".jpeg")) return "image/jpeg";
        if (n.endsWith(".webp")) return "image/webp";
        return "application/octet-stream";
    }

    /** A 404 of a HEAD: the object is not there. */
    private static final class NotFound extends IOException {
    }

    private interface S3Call<T> {
        T run() throws Exception;
    }

    /**
     * Runs one call, turning the SDK's exceptions into a {@link StorageException} that names the operation, the key,
     * the status and the S3 request id: the SDK's own messages may quote the endpoint's answer, so they stay out.
     */
    private static <T> T call(String op, String key, S3Call<T> c) throws IOException {
        try {
            return c.run();
        } catch (NoSuchKeyException e) {
            throw new NotFound();
        } catch (S3Exception e) {
            if (e.statusCode() == 404 && "head".equals(op)) throw new NotFound();
            String code = e.awsErrorDetails() != null && e.awsErrorDetails().errorCode() != null ? " " + e.awsErrorDetails().errorCode() : "";
            throw new StorageException("object storage " + op + " of " + key + " answered HTTP " + e.statusCode() + code
                    + " (S3 request id " + e.requestId() + ")");
        } catch (SdkClientException e) {
            throw new StorageException("object storage " + op + " of " + key + " failed: not reachable or no answer ("
                    + rootCauseName(e) + ")");
        } catch (SdkException e) {
            throw new StorageException("object storage " + op + " of " + key + " failed (" + rootCauseName(e) + ")");
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new StorageException("object storage " + op + " of " + key + " failed (" + rootCauseName(e) + ")");
        }
    }

    private static String rootCauseName(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t.getClass().getSimpleName();
    }

    @Override
    public void close() {
        presigner.close();
        s3.close();
    }
}
