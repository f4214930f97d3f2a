package io.framegate.engine;

import io.framegate.engine.KeyframeInterpolator.Preset;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Scalar;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;
import org.opencv.video.DISOpticalFlow;

/**
 * A keyframe pair's two DIS flows: the images they work on, the flows themselves, and their resampling to the splat
 * grid.
 */
final class PairFlows {
    /**
     * The longest side of a keyframe pair's flow images. 640x360 pairs (and Middlebury's 640x480) worked on their full
     * size before; at 512 px (issue 13, session 7) the tuning half moved orbit gap +0.82 dB, occluder gap, bbb-17 gap
     * and Middlebury -0.07 to -0.09, bbb-40 gap -0.01 (held-out: -0.09 to +0.06), and a 360p pair's flow costs about
     * two thirds of its time.
     */
    static final int PAIR_FLOW_SIDE = 512;

    private PairFlows() {
    }

    /**
     * Gray A and B at DIS's working size (at most {@code maxSide} px long; where DIS would skip its finest level
     * (patches from the second level up), halved once more and DIS runs on all its levels: the same patch levels,
     * with a 4x smaller resize and initial flow, no upscale of the flow to full size and a 4x smaller one for the
     * splat grid, a third of a 720p pair's flow time); the inputs themselves when no resize is needed. A keyframe
     * pair's flow works on at most {@link #PAIR_FLOW_SIDE} px: what a 720p or 1080p pair's halved images come to, so
     * a smaller pair no longer costs more than those (a 640x360 pair's flow was 1.56x a 720p pair's pixels).
     */
    static Mat[] workingImages(Mat grayA, Mat grayB, Preset preset) {
        int w = grayA.cols(), h = grayA.rows();
        int maxSide = preset == Preset.FAST ? 640 : 1024;
        double s = Math.min(1.0, (double) maxSide / Math.max(w, h));
        int finest = preset == Preset.FAST ? 0
                : DisPool.finestScale(preset, (int) Math.round(w * s), (int) Math.round(h * s));
        s /= 1 << finest;
        if (preset == Preset.QUALITY) s = Math.min(s, (double) PAIR_FLOW_SIDE / Math.max(w, h));
        if (s >= 1) return new Mat[]{grayA, grayB};
        Size size = new Size(Math.round(w * s), Math.round(h * s));
        Mat wa = new Mat(), wb = new Mat();
        Imgproc.resize(grayA, wa, size, 0, 0, Imgproc.INTER_AREA);
        Imgproc.resize(grayB, wb, size, 0, 0, Imgproc.INTER_AREA);
        return new Mat[]{wa, wb};
    }

    /**
     * DIS flow from {@code f0} to {@code t0} (working images of a {@code w x h} pair), initialised with the global
     * motion {@code init} (full-size pixels), in working-size pixels.
     */
    static Mat flow(Mat f0, Mat t0, int w, int h, double[] init, Preset preset) {
        int fw = f0.cols(), fh = f0.rows();
        double sx = (double) fw / w, sy = (double) fh / h;
        Mat flow = new Mat(fh, fw, CvType.CV_32FC2);
        double[] scale = {sx, 0, (sx - 1) / 2, 0, sy, (sy - 1) / 2, 0, 0, 1};
        InitialFlow.fill(flow, CameraRig.mul(scale, CameraRig.mul(init, CameraRig.invert(scale))));
        DISOpticalFlow dis = DisPool.get(preset);
        try {
            dis.calc(f0, t0, flow);
        } finally {
            // OpenCV's Java objects free their native part in a finaliser: without the fence the JIT may consider
            // dis unreachable while its own calc runs (a SIGSEGV in libopencv_video, seen in the bench)
            java.lang.ref.Reference.reachabilityFence(dis);
        }
        return flow;
    }

    /**
     * A flow ({@code CV_32FC2}, any size) resampled to the splat grid, in grid pixels, as x, y per pixel in {@code out}.
     */
    static void toGrid(Mat flow, int sw, int sh, float[] out) {
        Mat m = flow;
        if (flow.cols() != sw || flow.rows() != sh) {
            m = new Mat();
            // shrinking: the area mean; enlarging (a halved flow under a larger grid): bilinear, not area's blocks
            boolean enlarging = flow.cols() < sw || flow.rows() < sh;
            Imgproc.resize(flow, m, new Size(sw, sh), 0, 0, enlarging ? Imgproc.INTER_LINEAR : Imgproc.INTER_AREA);
            Core.multiply(m, new Scalar((double) sw / flow.cols(), (double) sh / flow.rows()), m);
        }
        m.get(0, 0, out);
        if (m != flow) m.release();
    }
}
