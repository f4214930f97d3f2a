package io.framegate.server;

import io.framegate.domain.GenerationBackend;
import io.framegate.domain.GenerationContext;
import io.framegate.domain.GenerationException;
import io.framegate.domain.RenderPlan;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Java2DFrameConverter;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test backend: writes a real H.264 MP4 of the planned size and frame count (a moving bar over a colour), reporting
 * progress per frame and stopping when the context is cancelled. Writes no previews (like a cloud provider), so the
 * server's finisher has to make them.
 */
public final class TinyVideoBackend implements GenerationBackend {
    private final String id;
    private final boolean local;
    private final long millisPerFrame;
    private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
    private volatile String failWith;

    public TinyVideoBackend(String id, boolean local, long millisPerFrame) {
        this.id = id;
        this.local = local;
        this.millisPerFrame = millisPerFrame;
    }

    /** Every following generation fails with this error code. */
    public void failWith(String code) {
        this.failWith = code;
    }

    public int attempts(String jobId) {
        AtomicInteger n = attempts.get(jobId);
        return n == null ? 0 : n.get();
    }

    public int totalAttempts() {
        return attempts.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public boolean isLocal() {
        return local;
    }

    @Override
    public void generate(RenderPlan plan, GenerationContext ctx) throws Exception {
        attempts.computeIfAbsent(ctx.jobId(), k -> new AtomicInteger()).incrementAndGet();
        if (failWith != null) throw new GenerationException(failWith, "the test backend was told to fail");
        ctx.note("test_backend", id);
        int w = plan.size().width();
        int h = plan.size().height();
        for (int v = 0; v < plan.numberOfVideos(); v++) {
            try (FFmpegFrameRecorder rec = io.framegate.engine.H264.recorder(ctx.output(v).video(), w, h, plan.fps(), plan.frameCount());
                 Java2DFrameConverter conv = new Java2DFrameConverter()) {
                rec.start();
                for (int i = 0; i < plan.frameCount(); i++) {
                    if (ctx.isCancelled()) return;
                    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
                    Graphics2D g = img.createGraphics();
                    g.setColor(new Color(40 + 30 * v, 90, 160));
                    g.fillRect(0, 0, w, h);
                    g.setColor(Color.WHITE);
                    g.fillRect(i * w / plan.frameCount(), 0, Math.max(2, w / 8), h);
                    g.dispose();
                    rec.record(conv.convert(img), avutil.AV_PIX_FMT_BGR24);
                    ctx.progress().onProgress("render", (long) v * plan.frameCount() + i + 1,
                            (long) plan.numberOfVideos() * plan.frameCount());
                    if (millisPerFrame > 0) Thread.sleep(millisPerFrame);
                }
                rec.stop();
            }
        }
    }
}
