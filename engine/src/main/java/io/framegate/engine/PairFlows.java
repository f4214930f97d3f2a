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
     * The longest side of a sequence's flow images: consecutive frames are worked on at half their size (from 400 px
     * on), at most this long. Until session 8 the flow of a 720p and of a 1080p frame alike worked on 512 px (a 360p
     * frame's on 320): it did not follow the frame, so the larger the frame, the coarser its flow was for it.
     * Chosen on the tuning half (mean PSNR, 512 px -> half size): 720p orbit 2x 35.24 -> 35.46, 4x 32.42 -> 32.45 (SSIM
     * 0.9374 -> 0.9360), occluder 2x 35.50 -> 35.56, 4x 32.65 -> 32.85; 1080p orbit 2x 35.32 -> 35.68, 4x 32.37 ->
     * 32.84, occluder 2x 35.30 -> 35.53, 4x 32.44 -> 32.59. Tried at 1080p: 1024x576 (35.61, 32.84, 35.56, 32.51, with
     * 14% more pixels than 960x540) and 320x180 (34.62, 32.03, 34.87, 32.38: all four lower). A 640x360 frame's flow
     * is 320x180 either way.
     */
    static final int SEQUENCE_FLOW_SIDE = 1024;

    /**
     * Gray A and B at DIS's working size, or the inputs themselves when no resize is needed. DIS works down to its
     * finest pyramid level on them ({@link DisPool}), so their size is what the flow costs:
     * <ul>
     * <li>a keyframe pair: at most {@link #PAIR_FLOW_SIDE} px long, what a 720p or 1080p pair's images came to when
     * they were taken to 1024 px and halved where DIS would skip its finest level (over 800 px), so that a smaller
     * pair no longer costs more than those (a 640x360 pair's flow was 1.56x a 720p pair's pixels); a pair of 801-1023
     * px keeps that halving (400-511 px);</li>
     * <li>consecutive frames of a sequence: half the frame, at most {@link #SEQUENCE_FLOW_SIDE};</li>
     * <li>previews: at most 640 px.</li>
     * </ul>
     */
    static Mat[] workingImages(Mat grayA, Mat grayB, Preset preset) {
        int w = grayA.cols(), h = grayA.rows(), side = Math.max(w, h);
        double s = switch (preset) {
            case FAST -> Math.min(1.0, 640.0 / side);
            case SEQUENCE -> Math.min(side > 400 ? 0.5 : 1.0, (double) SEQUENCE_FLOW_SIDE / side);
            // 801-1023 px: halved (400-511 px), as when DIS skipped its finest level over 800 px
            case QUALITY -> side > 800 && side < 1024 ? 0.5 : Math.min(1.0, (double) PAIR_FLOW_SIDE / side);
        };
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
        // the identity stays the identity at any scale; conjugated in floating point it came out as 0.9999999999999999
        // and the field was filled pixel by pixel with zeros to 1e-14 px (about 20 ms of a 360p command, interpreted)
        InitialFlow.fill(flow, InitialFlow.isIdentity(init) ? init
                : CameraRig.mul(scale, CameraRig.mul(init, CameraRig.invert(scale))));
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
