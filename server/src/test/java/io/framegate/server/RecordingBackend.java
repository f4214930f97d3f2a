package io.framegate.server;

import io.framegate.domain.GenerationBackend;
import io.framegate.domain.GenerationContext;
import io.framegate.domain.InputImage;
import io.framegate.domain.RenderPlan;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A backend for server tests that records what each job handed it (image roles and the SHA-256 of each image's
 * bytes, seconds, size, frames) and then lets {@code delegate} make the video. Tests assert on what the backend
 * received, not only on the status code of the request.
 */
public final class RecordingBackend implements GenerationBackend {
    /** What one job's generate call received. */
    public record Received(String model, List<String> roles, List<String> imageSha256, int seconds, String size,
                           int fps, int frameCount, String prompt) {
        /** The SHA-256 of the one image in {@code role}; fails unless there is exactly one. */
        public String imageOf(String role) {
            List<Integer> at = java.util.stream.IntStream.range(0, roles.size()).filter(i -> roles.get(i).equals(role))
                    .boxed().toList();
            if (at.size() != 1) throw new AssertionError("expected one " + role + " image, got roles " + roles);
            return imageSha256.get(at.get(0));
        }
    }

    private final GenerationBackend delegate;
    private final Map<String, Received> received = new ConcurrentHashMap<>();
    private final List<io.framegate.domain.GenerationRequest> requests = new java.util.concurrent.CopyOnWriteArrayList<>();

    public RecordingBackend(GenerationBackend delegate) {
        this.delegate = delegate;
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Every request handed to the backend so far, in the order of their generate calls. */
    public List<io.framegate.domain.GenerationRequest> requests() {
        return List.copyOf(requests);
    }

    /** What job {@code jobId} handed the backend, waiting up to a minute for its generate call. */
    public Received received(String jobId) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            Received r = received.get(jobId);
            if (r != null) return r;
            Thread.sleep(20);
        }
        throw new AssertionError("job " + jobId + " never reached the backend; seen: " + received.keySet());
    }

    @Override
    public String id() {
        return delegate.id();
    }

    @Override
    public boolean isLocal() {
        return delegate.isLocal();
    }

    @Override
    public void generate(RenderPlan plan, GenerationContext ctx) throws Exception {
        List<InputImage> images = plan.request().images();
        requests.add(plan.request());
        received.put(ctx.jobId(), new Received(plan.model().id(),
                images.stream().map(i -> i.role().wireName()).toList(),
                images.stream().map(i -> sha256(i.bytes())).toList(),
                plan.seconds(), plan.size().toString(), plan.fps(), plan.frameCount(), plan.request().prompt()));
        delegate.generate(plan, ctx);
    }
}
