package io.framegate.engine;

/**
 * Pinhole geometry of a virtual camera looking at the input image. The image is what the identity camera sees of
 * a fronto-parallel plane at depth 1; a layer at depth {@code z} (foreground &lt; 1) moves with parallax when the
 * camera centre moves. Rotations (pan, tilt) and focal-length changes are exact homographies of the image, camera
 * travel is exact for the layer plane. Image axes: x right, y down, z forward.
 *
 * @param width  frame width in pixels
 * @param height frame height in pixels
 * @param focal  focal length of the identity camera in pixels
 */
record CameraRig(int width, int height, double focal) {
    /** A 50 degree horizontal field of view: a normal lens. */
    static CameraRig forFrame(int width, int height) {
        return new CameraRig(width, height, width / 2.0 / Math.tan(Math.toRadians(25)));
    }

    /**
     * One camera state.
     *
     * @param zoom   focal length multiplier
     * @param yaw    radians, positive turns right
     * @param pitch  radians, positive tilts up
     * @param orbit  radians around the subject point, positive moves the camera right
     * @param cx     camera travel right (units of the background depth)
     * @param cy     camera travel down
     * @param cz     camera travel forward
     * @param shiftX lens shift in output pixels (keeps an off-centre zoom target in place)
     * @param shiftY lens shift in output pixels
     */
    record Pose(double zoom, double yaw, double pitch, double orbit, double cx, double cy, double cz,
                double shiftX, double shiftY) {
        static final Pose IDENTITY = new Pose(1, 0, 0, 0, 0, 0, 0, 0, 0);

        Pose withZoomFactor(double f, double focusX, double focusY, double centreX, double centreY) {
            double z = zoom * f;
            return new Pose(z, yaw, pitch, orbit, cx, cy, cz,
                    (focusX - centreX) * (1 - z), (focusY - centreY) * (1 - z));
        }
    }

    /**
     * The homography (row-major 3x3) that maps an output pixel of the camera at {@code pose} to frame coordinates of
     * the layer at {@code depth}, for {@code warpPerspective(..., WARP_INVERSE_MAP)}. {@code subjectX/Y} is the frame
     * point the orbit turns around (on the layer {@code subjectDepth}).
     */
    double[] outputToFrame(Pose pose, double depth, double subjectX, double subjectY, double subjectDepth) {
        double c0x = width / 2.0, c0y = height / 2.0;
        // camera-to-world rotation: orbit about the vertical axis, then pan, then tilt
        double[] m = mul(rotY(pose.orbit), mul(rotY(pose.yaw), rotX(pose.pitch)));
        double[] centre = {pose.cx, pose.cy, pose.cz};
        if (pose.orbit != 0) {
            double[] p = {(subjectX - c0x) / focal * subjectDepth, (subjectY - c0y) / focal * subjectDepth, subjectDepth};
            double[] rp = apply(rotY(pose.orbit), p);
            centre[0] += p[0] - rp[0];
            centre[1] += p[1] - rp[1];
            centre[2] += p[2] - rp[2];
        }
        double f = focal * pose.zoom;
        double[] kInv = invert(new double[]{f, 0, c0x + pose.shiftX, 0, f, c0y + pose.shiftY, 0, 0, 1});
        double[] k0 = {focal, 0, c0x, 0, focal, c0y, 0, 0, 1};
        double s = depth - centre[2];
        double[] plane = {s, 0, centre[0], 0, s, centre[1], 0, 0, s + centre[2]};
        return normalise(mul(k0, mul(plane, mul(m, kInv))));
    }

    static double[] rotY(double a) {
        double c = Math.cos(a), s = Math.sin(a);
        return new double[]{c, 0, s, 0, 1, 0, -s, 0, c};
    }

    static double[] rotX(double a) {
        double c = Math.cos(a), s = Math.sin(a);
        return new double[]{1, 0, 0, 0, c, -s, 0, s, c};
    }

    static double[] mul(double[] a, double[] b) {
        double[] r = new double[9];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                r[i * 3 + j] = a[i * 3] * b[j] + a[i * 3 + 1] * b[3 + j] + a[i * 3 + 2] * b[6 + j];
            }
        }
        return r;
    }

    static double[] apply(double[] m, double[] v) {
        return new double[]{m[0] * v[0] + m[1] * v[1] + m[2] * v[2], m[3] * v[0] + m[4] * v[1] + m[5] * v[2],
                m[6] * v[0] + m[7] * v[1] + m[8] * v[2]};
    }

    /** Maps a pixel through a homography. */
    static double[] project(double[] h, double x, double y) {
        double w = h[6] * x + h[7] * y + h[8];
        return new double[]{(h[0] * x + h[1] * y + h[2]) / w, (h[3] * x + h[4] * y + h[5]) / w};
    }

    static double[] invert(double[] a) {
        double det = a[0] * (a[4] * a[8] - a[5] * a[7]) - a[1] * (a[3] * a[8] - a[5] * a[6])
                + a[2] * (a[3] * a[7] - a[4] * a[6]);
        double[] r = {
                a[4] * a[8] - a[5] * a[7], a[2] * a[7] - a[1] * a[8], a[1] * a[5] - a[2] * a[4],
                a[5] * a[6] - a[3] * a[8], a[0] * a[8] - a[2] * a[6], a[2] * a[3] - a[0] * a[5],
                a[3] * a[7] - a[4] * a[6], a[1] * a[6] - a[0] * a[7], a[0] * a[4] - a[1] * a[3]};
        for (int i = 0; i < 9; i++) r[i] /= det;
        return r;
    }

    static double[] normalise(double[] h) {
        double[] r = h.clone();
        for (int i = 0; i < 9; i++) r[i] /= h[8];
        return r;
    }

    /** Whether the output frame, mapped through {@code h}, stays inside the frame grown by {@code margin} per side. */
    boolean viewInside(double[] h, double margin) {
        double mx = margin * width, my = margin * height;
        double[][] corners = {{0, 0}, {width, 0}, {0, height}, {width, height}, {width / 2.0, 0}, {width / 2.0, height},
                {0, height / 2.0}, {width, height / 2.0}};
        for (double[] c : corners) {
            double[] q = project(h, c[0], c[1]);
            if (q[0] < -mx - 1e-6 || q[0] > width + mx + 1e-6 || q[1] < -my - 1e-6 || q[1] > height + my + 1e-6) {
                return false;
            }
        }
        return true;
    }

    /** Source pixels per output pixel around the frame centre (area ratio, square-rooted). */
    static double scaleAtCentre(double[] h, double x, double y) {
        double[] p = project(h, x, y), px = project(h, x + 1, y), py = project(h, x, y + 1);
        double a = px[0] - p[0], b = py[0] - p[0], c = px[1] - p[1], d = py[1] - p[1];
        return Math.sqrt(Math.abs(a * d - b * c));
    }
}
