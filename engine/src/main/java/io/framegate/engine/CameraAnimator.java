package io.framegate.engine;

import io.framegate.domain.FitMode;

import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Rect;
import org.opencv.core.Scalar;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;
import org.opencv.photo.Photo;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Animates one image with a virtual camera ({@link CameraRig}) along a path read from the prompt. Rotations and zooms
 * are exact homographies rendered with trilinear mip-mapping from a supersampled canvas (up to 2x the output when the
 * source has the pixels); camera travel (dolly, orbit, parallax) uses two layers, a GrabCut-matted foreground at
 * depth {@value #FOREGROUND_DEPTH} over an inpainted background plate ("2.5D lite").
 */
final class CameraAnimator implements FrameSource {
    /** How the path relates to the input image. */
    enum PathKind {
        /** The image guides the look: the path is centred on it, with whatever headroom the move needs. */
        REFERENCE,
        /** Starts exactly at the image (identity camera) and moves away. */
        FROM_FIRST,
        /** Starts and ends at the image: the move goes there and back. */
        LOOP
    }

    static final double FOREGROUND_DEPTH = 0.6;
    /** How far (fraction of the frame per side) a move starting at the first frame may look past the image. */
    static final double REVEAL_MARGIN = 0.15;

    private final int width;
    private final int height;
    private final int frameCount;
    private final CameraRig rig;
    private final CameraRig.Pose[] poses;
    private final double[] canvasFromFrame;
    private final MipImage canvas;
    private final MipImage plate;
    private final MipImage matte;
    private final double subjectX;
    private final double subjectY;
    private final Mat pinnedFirst;
    private final Mat pinnedLast;
    private final String motionText;

    /**
     * @param source      the decoded input (any size); the caller keeps ownership
     * @param pinnedFirst shown unchanged as frame 0 (FROM_FIRST, LOOP), or null
     * @param pinnedLast  shown unchanged as the last frame (LOOP with a given last frame), or null
     */
    CameraAnimator(Mat source, int width, int height, FitMode fit, CameraMotion motion, PathKind kind, int frameCount,
                   double seconds, Easing easing, long seed, Mat pinnedFirst, Mat pinnedLast) {
        this.width = width;
        this.height = height;
        this.frameCount = frameCount;
        this.rig = CameraRig.forFrame(width, height);
        this.pinnedFirst = pinnedFirst == null ? null : pinnedFirst.clone();
        this.pinnedLast = pinnedLast == null ? null : pinnedLast.clone();

        // a supersampled canvas keeps detail when zooming in, as far as the source has it
        double sourcePerFrame = switch (fit) {
            case CROP -> Math.min((double) source.cols() / width, (double) source.rows() / height);
            case PAD -> Math.max((double) source.cols() / width, (double) source.rows() / height);
            case STRETCH -> Math.min((double) source.cols() / width, (double) source.rows() / height);
        };
        double k = Math.clamp(sourcePerFrame, 1.0, 2.0);
        Mat fitted = ImageFitter.fit(source, (int) Math.round(width * k), (int) Math.round(height * k), fit);
        double kx = (double) fitted.cols() / width, ky = (double) fitted.rows() / height;

        Subject subject = Subject.find(fitted);
        subjectX = subject.x / kx;
        subjectY = subject.y / ky;

        CameraMotion scaled = motion.scaled(Math.clamp(Math.sqrt(seconds / 4.0), 0.6, 2.0));
        SplittableRandom random = new SplittableRandom(seed);
        // the default push-in drifts sideways a little, differently for every seed
        double drift = motion.description().startsWith("push in (default)")
                ? (random.nextBoolean() ? 1 : -1) * (0.6 + 1.2 * random.nextDouble()) : 0;
        double margin = kind == PathKind.FROM_FIRST && (scaled.zoom() < 0 || scaled.dolly() < 0) ? REVEAL_MARGIN : 0;
        poses = planPath(scaled, kind, easing, drift, margin);

        int border = margin > 0 ? (int) Math.ceil(Math.max(fitted.cols(), fitted.rows()) * (margin + 0.02)) : 0;
        canvasFromFrame = new double[]{kx, 0, border + (kx - 1) / 2, 0, ky, border + (ky - 1) / 2, 0, 0, 1};
        Mat base = border > 0 ? extend(fitted, border) : fitted;
        if (base != fitted) fitted.release();
        if (scaled.layered() && !scaled.still()) {
            Mat core = base.submat(new Rect(border, border, base.cols() - 2 * border, base.rows() - 2 * border));
            Mat alpha = subject.matte(core, core.cols(), core.rows());
            Mat alphaFull = new Mat(base.rows(), base.cols(), CvType.CV_8U, new Scalar(0));
            alpha.copyTo(alphaFull.submat(new Rect(border, border, core.cols(), core.rows())));
            alpha.release();
            plate = new MipImage(backgroundPlate(base, alphaFull), 4);
            matte = new MipImage(alphaFull, 4);
        } else {
            plate = null;
            matte = null;
        }
        subject.release();
        canvas = new MipImage(base, 4);

        String kindText = switch (kind) {
            case REFERENCE -> "";
            case FROM_FIRST -> " from the first frame";
            case LOOP -> " there and back (loop)";
        };
        motionText = scaled.description() + kindText + (scaled.layered() ? ", layered 2.5D" : "")
                + String.format(Locale.ROOT, ", subject at %.0f,%.0f", subjectX, subjectY);
    }

    private CameraRig.Pose[] planPath(CameraMotion m, PathKind kind, Easing easing, double driftDeg, double margin) {
        CameraRig.Pose[] out = new CameraRig.Pose[frameCount];
        double focusX = width / 2.0 + 0.5 * (subjectX - width / 2.0);
        double focusY = height / 2.0 + 0.5 * (subjectY - height / 2.0);
        for (int i = 0; i < frameCount; i++) {
            double u = frameCount == 1 ? 0 : (double) i / (frameCount - 1);
            double e = easing.apply(u);
            double centred, zoomAmount, dollyAmount;
            switch (kind) {
                case REFERENCE -> {
                    centred = e - 0.5;
                    zoomAmount = m.zoom() >= 0 ? m.zoom() * e : -m.zoom() * (1 - e);
                    dollyAmount = m.dolly() >= 0 ? m.dolly() * e : -m.dolly() * (1 - e);
                }
                case FROM_FIRST -> {
                    centred = e;
                    zoomAmount = m.zoom() * e;
                    dollyAmount = m.dolly() * e;
                }
                default -> {
                    double along = (1 - Math.cos(2 * Math.PI * u)) / 2;
                    centred = along;
                    zoomAmount = m.zoom() * along;
                    dollyAmount = m.dolly() * along;
                }
            }
            if (m.still()) {
                out[i] = CameraRig.Pose.IDENTITY;
                continue;
            }
            double yaw = Math.toRadians(m.yawDeg() * centred + driftDeg * (kind == PathKind.LOOP
                    ? Math.sin(2 * Math.PI * u) : centred));
            double pitch = Math.toRadians(m.pitchDeg() * centred);
            double orbit = Math.toRadians(m.orbitDeg() * centred);
            double tx = m.truck() * centred;
            // dolly along the ray through the focus point, so the subject stays where it is
            double cx = dollyAmount * (focusX - width / 2.0) / rig.focal() + tx;
            double cy = dollyAmount * (focusY - height / 2.0) / rig.focal();
            CameraRig.Pose p = new CameraRig.Pose(1, yaw, pitch, orbit, cx, cy, dollyAmount, 0, 0)
                    .withZoomFactor(Math.exp(zoomAmount), focusX, focusY, width / 2.0, height / 2.0);
            out[i] = p;
        }
        if (m.still()) return out;
        // headroom: zoom in just enough that the background never shows past the image (or the reveal margin)
        if (kind == PathKind.REFERENCE) {
            double lo = 1, hi = 4;
            if (!allInside(out, 1, margin)) {
                for (int it = 0; it < 30; it++) {
                    double mid = (lo + hi) / 2;
                    if (allInside(out, mid, margin)) hi = mid;
                    else lo = mid;
                }
                for (int i = 0; i < out.length; i++) out[i] = scaleZoom(out[i], hi, focusX, focusY);
            }
        } else {
            for (int i = 0; i < out.length; i++) {
                if (inside(out[i], 1, margin)) continue;
                double lo = 1, hi = 4;
                for (int it = 0; it < 30; it++) {
                    double mid = (lo + hi) / 2;
                    if (inside(out[i], mid, margin)) hi = mid;
                    else lo = mid;
                }
                out[i] = scaleZoom(out[i], hi, focusX, focusY);
            }
        }
        return out;
    }

    private CameraRig.Pose scaleZoom(CameraRig.Pose p, double factor, double focusX, double focusY) {
        return p.withZoomFactor(factor, focusX, focusY, width / 2.0, height / 2.0);
    }

    private boolean allInside(CameraRig.Pose[] path, double factor, double margin) {
        double fx = width / 2.0 + 0.5 * (subjectX - width / 2.0);
        double fy = height / 2.0 + 0.5 * (subjectY - height / 2.0);
        int step = Math.max(1, path.length / 48);
        for (int i = 0; i < path.length; i += step) {
            if (!inside(scaleZoom(path[i], factor, fx, fy), 1, margin)) return false;
        }
        return inside(scaleZoom(path[path.length - 1], factor, fx, fy), 1, margin);
    }

    private boolean inside(CameraRig.Pose p, double factor, double margin) {
        double fx = width / 2.0 + 0.5 * (subjectX - width / 2.0);
        double fy = height / 2.0 + 0.5 * (subjectY - height / 2.0);
        CameraRig.Pose q = factor == 1 ? p : scaleZoom(p, factor, fx, fy);
        return rig.viewInside(rig.outputToFrame(q, 1.0, subjectX, subjectY, FOREGROUND_DEPTH), margin);
    }

    @Override
    public int frameCount() {
        return frameCount;
    }

    @Override
    public String motion() {
        return motionText;
    }

    @Override
    public Mat render(int index) {
        if (index == 0 && pinnedFirst != null) return pinnedFirst.clone();
        if (index == frameCount - 1 && pinnedLast != null) return pinnedLast.clone();
        CameraRig.Pose pose = poses[index];
        double[] bg = toCanvas(rig.outputToFrame(pose, 1.0, subjectX, subjectY, FOREGROUND_DEPTH));
        if (plate == null) return canvas.sample(bg, width, height);
        double[] fg = toCanvas(rig.outputToFrame(pose, FOREGROUND_DEPTH, subjectX, subjectY, FOREGROUND_DEPTH));
        Mat back = plate.sample(bg, width, height);
        Mat front = canvas.sample(fg, width, height);
        Mat alpha = matte.sample(fg, width, height);
        Mat wf = new Mat(), wb = new Mat();
        alpha.convertTo(wf, CvType.CV_32F, 1 / 255.0);
        Core.subtract(Mat.ones(wf.size(), CvType.CV_32F), wf, wb);
        Mat out = new Mat();
        Imgproc.blendLinear(front, back, wf, wb, out);
        for (Mat m : new Mat[]{back, front, alpha, wf, wb}) m.release();
        return out;
    }

    /** Output pixel index to canvas pixel index, through frame coordinates (pixel centres at +0.5). */
    private double[] toCanvas(double[] outputToFrame) {
        double[] fromIndex = {1, 0, 0.5, 0, 1, 0.5, 0, 0, 1};
        double[] toIndex = canvasFromFrame.clone();
        // canvasFromFrame maps frame index coordinates; shift output index to frame area coordinates and back
        double[] frameAreaToIndex = {1, 0, -0.5, 0, 1, -0.5, 0, 0, 1};
        return CameraRig.mul(toIndex, CameraRig.mul(frameAreaToIndex, CameraRig.mul(outputToFrame, fromIndex)));
    }

    /** The image surrounded by a blurred, darkened reflection of itself: what a zoom-out from the first frame reveals. */
    private static Mat extend(Mat image, int border) {
        Mat ext = new Mat();
        Core.copyMakeBorder(image, ext, border, border, border, border, Core.BORDER_REFLECT_101);
        Mat small = new Mat();
        Imgproc.resize(ext, small, new Size(Math.max(8, ext.cols() / 8), Math.max(8, ext.rows() / 8)), 0, 0,
                Imgproc.INTER_AREA);
        Imgproc.GaussianBlur(small, small, new Size(0, 0), 3);
        Mat blurred = new Mat();
        Imgproc.resize(small, blurred, ext.size(), 0, 0, Imgproc.INTER_LINEAR);
        Core.multiply(blurred, new Scalar(0.8, 0.8, 0.8), blurred);
        Mat keep = new Mat(ext.rows(), ext.cols(), CvType.CV_32F, new Scalar(0));
        keep.submat(new Rect(border, border, image.cols(), image.rows())).setTo(new Scalar(1));
        double feather = Math.max(2, border / 6.0);
        Imgproc.GaussianBlur(keep, keep, new Size(0, 0), feather);
        // the image itself stays exact: the feather only reaches outward
        keep.submat(new Rect(border, border, image.cols(), image.rows())).setTo(new Scalar(1));
        Mat drop = new Mat();
        Core.subtract(Mat.ones(keep.size(), CvType.CV_32F), keep, drop);
        Mat out = new Mat();
        Imgproc.blendLinear(ext, blurred, keep, drop, out);
        for (Mat m : new Mat[]{ext, small, blurred, keep, drop}) m.release();
        return out;
    }

    /** The background with the foreground removed (dilated matte inpainted on a small copy, pasted back softly). */
    private static Mat backgroundPlate(Mat image, Mat alpha) {
        int sw = Math.min(320, image.cols());
        int sh = Math.max(8, (int) Math.round((double) image.rows() * sw / image.cols()));
        Mat small = new Mat(), smallMask = new Mat();
        Imgproc.resize(image, small, new Size(sw, sh), 0, 0, Imgproc.INTER_AREA);
        Imgproc.resize(alpha, smallMask, new Size(sw, sh), 0, 0, Imgproc.INTER_AREA);
        Imgproc.threshold(smallMask, smallMask, 10, 255, Imgproc.THRESH_BINARY);
        Mat kernel = Imgproc.getStructuringElement(Imgproc.MORPH_ELLIPSE, new Size(9, 9));
        Imgproc.dilate(smallMask, smallMask, kernel);
        Mat filled = new Mat();
        Photo.inpaint(small, smallMask, filled, 5, Photo.INPAINT_TELEA);
        Mat up = new Mat();
        Imgproc.resize(filled, up, image.size(), 0, 0, Imgproc.INTER_CUBIC);
        Mat hole = new Mat();
        Imgproc.resize(smallMask, hole, image.size(), 0, 0, Imgproc.INTER_LINEAR);
        Imgproc.GaussianBlur(hole, hole, new Size(0, 0), Math.max(1.5, image.cols() * 0.004));
        Mat wh = new Mat(), wi = new Mat();
        hole.convertTo(wh, CvType.CV_32F, 1 / 255.0);
        Core.subtract(Mat.ones(wh.size(), CvType.CV_32F), wh, wi);
        Mat out = new Mat();
        Imgproc.blendLinear(up, image, wh, wi, out);
        for (Mat m : new Mat[]{small, smallMask, kernel, filled, up, hole, wh, wi}) m.release();
        return out;
    }

    @Override
    public void close() {
        canvas.release();
        if (plate != null) plate.release();
        if (matte != null) matte.release();
        if (pinnedFirst != null) pinnedFirst.release();
        if (pinnedLast != null) pinnedLast.release();
    }
}
