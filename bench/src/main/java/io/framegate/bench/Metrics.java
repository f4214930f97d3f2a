package io.framegate.bench;

/**
 * The one scorer every method goes through: PSNR, SSIM and the Middlebury interpolation error on 8-bit RGB.
 *
 * <p>PSNR is over all three channels (the mean squared error of R, G and B together), which is what FFmpeg's
 * {@code psnr} filter reports as {@code psnr_avg} for RGB input. SSIM follows FFmpeg's {@code ssim} filter exactly
 * (x264's approximation: 8x8 windows on a 4-pixel grid, plain block sums instead of Gaussian weights), computed on the
 * R, G and B planes and averaged, which is the filter's {@code All} for RGB input; so both can be checked against
 * FFmpeg ({@code MetricsTest}, and the check the benchmark prints). IE is the mean absolute RGB difference, the
 * Middlebury "interpolation error" as the published tables compute it.
 */
public final class Metrics {
    /** PSNR reported for identical images (where the true value is infinite), so that means stay finite. */
    public static final double PSNR_CAP = 100.0;

    private Metrics() {
    }

    public static double mse(Rgb a, Rgb b) {
        requireSameSize(a, b);
        byte[] x = a.data(), y = b.data();
        long sum = 0;
        for (int i = 0; i < x.length; i++) {
            int d = (x[i] & 0xff) - (y[i] & 0xff);
            sum += (long) d * d;
        }
        return (double) sum / x.length;
    }

    /** Peak signal-to-noise ratio in dB over R, G and B; {@link #PSNR_CAP} when the images are identical. */
    public static double psnr(Rgb a, Rgb b) {
        double mse = mse(a, b);
        if (mse == 0) return PSNR_CAP;
        return Math.min(PSNR_CAP, 10 * Math.log10(255.0 * 255.0 / mse));
    }

    /** Mean absolute difference over all pixels and channels (Middlebury IE, lower is better). */
    public static double interpolationError(Rgb a, Rgb b) {
        requireSameSize(a, b);
        byte[] x = a.data(), y = b.data();
        long sum = 0;
        for (int i = 0; i < x.length; i++) sum += Math.abs((x[i] & 0xff) - (y[i] & 0xff));
        return (double) sum / x.length;
    }

    /** SSIM as FFmpeg's {@code ssim} filter computes it for RGB input: the mean of the R, G and B planes' SSIM. */
    public static double ssim(Rgb a, Rgb b) {
        requireSameSize(a, b);
        double s = 0;
        for (int c = 0; c < 3; c++) s += ssimPlane(a, b, c);
        return s / 3;
    }

    /**
     * SSIM of one channel: sums over 4x4 blocks, combined into overlapping 8x8 windows (2x2 blocks) that step by 4
     * pixels; rows and columns that do not fill a 4x4 block are ignored, as in FFmpeg.
     */
    static double ssimPlane(Rgb a, Rgb b, int c) {
        int bw = a.width() / 4, bh = a.height() / 4;
        if (bw < 2 || bh < 2) throw new IllegalArgumentException("image too small for SSIM: " + a.width() + "x" + a.height());
        long[][] prev = new long[bw][], cur = new long[bw][];
        for (int x = 0; x < bw; x++) cur[x] = blockSums(a, b, c, x, 0);
        double total = 0;
        for (int by = 1; by < bh; by++) {
            long[][] t = prev; prev = cur; cur = t;
            for (int x = 0; x < bw; x++) cur[x] = blockSums(a, b, c, x, by);
            for (int x = 0; x + 1 < bw; x++) {
                long s1 = prev[x][0] + prev[x + 1][0] + cur[x][0] + cur[x + 1][0];
                long s2 = prev[x][1] + prev[x + 1][1] + cur[x][1] + cur[x + 1][1];
                long ss = prev[x][2] + prev[x + 1][2] + cur[x][2] + cur[x + 1][2];
                long s12 = prev[x][3] + prev[x + 1][3] + cur[x][3] + cur[x + 1][3];
                total += windowSsim(s1, s2, ss, s12);
            }
        }
        return total / ((double) (bh - 1) * (bw - 1));
    }

    private static long[] blockSums(Rgb a, Rgb b, int c, int bx, int by) {
        long s1 = 0, s2 = 0, ss = 0, s12 = 0;
        byte[] x = a.data(), y = b.data();
        int w = a.width();
        for (int dy = 0; dy < 4; dy++) {
            int row = ((by * 4 + dy) * w + bx * 4) * 3 + c;
            for (int dx = 0; dx < 4; dx++) {
                int p = x[row + dx * 3] & 0xff, q = y[row + dx * 3] & 0xff;
                s1 += p;
                s2 += q;
                ss += p * p + q * q;
                s12 += p * q;
            }
        }
        return new long[] {s1, s2, ss, s12};
    }

    /** FFmpeg's {@code ssim_end1}: the SSIM of one 8x8 window (64 pixels) from its sums. */
    private static double windowSsim(long s1, long s2, long ss, long s12) {
        final long c1 = (long) (.01 * .01 * 255 * 255 * 64 + .5);
        final long c2 = (long) (.03 * .03 * 255 * 255 * 64 * 63 + .5);
        long vars = ss * 64 - s1 * s1 - s2 * s2;
        long covar = s12 * 64 - s1 * s2;
        return (double) (2 * s1 * s2 + c1) * (double) (2 * covar + c2)
                / ((double) (s1 * s1 + s2 * s2 + c1) * (double) (vars + c2));
    }

    private static void requireSameSize(Rgb a, Rgb b) {
        if (!a.sameSize(b)) {
            throw new IllegalArgumentException("images differ in size: " + a.width() + "x" + a.height() + " vs "
                    + b.width() + "x" + b.height());
        }
    }
}
