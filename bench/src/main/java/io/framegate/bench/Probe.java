package io.framegate.bench;

import io.framegate.engine.KeyframeInterpolator;
import org.opencv.core.Mat;
import org.opencv.imgcodecs.Imgcodecs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * A quick quality probe for tuning (not the benchmark): runs {@link KeyframeInterpolator} in this JVM on the
 * benchmark's cases and prints PSNR/SSIM of the in-betweens next to the best minterpolate variant (computed once and
 * cached beside the frames). No timing, no encoding.
 *
 * <p>Usage: {@code Probe CACHE_DIR NAME=FRAMES_DIR[:KEYGAP] ...}; each frames directory holds {@code 000.png ..}.
 */
public final class Probe {
    private Probe() {
    }

    public static void main(String[] args) throws Exception {
        org.bytedeco.javacpp.Loader.load(org.bytedeco.opencv.opencv_java.class);
        Path cache = Path.of(args[0]);
        double sumD = 0;
        int n = 0;
        for (int a = 1; a < args.length; a++) {
            String[] nv = args[a].split("=", 2);
            String[] dg = nv[1].split(":");
            Path dir = Path.of(dg[0]);
            int keyGap = dg.length > 1 ? Integer.parseInt(dg[1]) : 24;
            List<Path> frames;
            try (var s = Files.list(dir)) {
                frames = s.filter(p -> p.getFileName().toString().matches("\\d{3}\\.png")).sorted().toList();
            }
            for (int gap : new int[] {2, 4, keyGap}) {
                if (!System.getProperty("gaps", "2,4,k").contains(gap == keyGap ? "k" : String.valueOf(gap))) continue;
                String name = nv[0] + "-" + (gap == keyGap ? "gap" + gap : gap + "x");
                List<Pair> pairs = new ArrayList<>();
                for (int k = 0; k + gap < frames.size(); k += gap) {
                    pairs.add(new Pair(String.format("%02d-%02d", k, k + gap), frames.get(k), frames.get(k + gap), gap,
                            frames.subList(k + 1, k + gap)));
                }
                BenchCase c = new BenchCase(name, name, pairs, gap > 4, false, false, false, Cases.Split.TUNING);
                double[] peer = peer(c, cache.resolve(name));
                KeyframeInterpolator.Preset preset = gap <= 4 ? KeyframeInterpolator.Preset.SEQUENCE : KeyframeInterpolator.Preset.QUALITY;
                double psnr = 0, ssim = 0;
                int count = 0;
                long t0 = System.nanoTime();
                for (Pair p : pairs) {
                    Mat ma = Imgcodecs.imread(p.first().toString()), mb = Imgcodecs.imread(p.last().toString());
                    try (KeyframeInterpolator k = KeyframeInterpolator.prepare(ma, mb, preset)) {
                        for (int i = 1; i < gap; i++) {
                            Mat f = k.frameAt((double) i / gap);
                            String dump = System.getProperty("dump");
                            if (dump != null && 2 * i == gap) {
                                Files.createDirectories(Path.of(dump));
                                Imgcodecs.imwrite(Path.of(dump, name + "-" + p.label() + ".png").toString(), f);
                            }
                            Rgb got = rgb(f), truth = Rgb.read(p.truth().get(i - 1));
                            f.release();
                            psnr += Metrics.psnr(got, truth);
                            ssim += Metrics.ssim(got, truth);
                            count++;
                        }
                    }
                }
                psnr /= count;
                ssim /= count;
                sumD += psnr - peer[0];
                n++;
                System.out.printf(Locale.ROOT, "%-16s engine %6.2f / %.4f   peer %6.2f / %.4f  (%s)  dPSNR %+5.2f dSSIM %+.4f  %5.1f s%n",
                        name, psnr, ssim, peer[0], peer[1], peerName, psnr - peer[0], ssim - peer[1], (System.nanoTime() - t0) / 1e9);
            }
        }
        System.out.printf(Locale.ROOT, "mean dPSNR %+.3f over %d cases%n", sumD / n, n);
    }

    private static String peerName = "";

    /** Best minterpolate variant's PSNR and best SSIM over variants, cached in {@code dir/peer.properties}. */
    private static double[] peer(BenchCase c, Path dir) throws IOException {
        Path file = dir.resolve("peer.properties");
        Properties p = new Properties();
        if (Files.isRegularFile(file)) {
            try (var in = Files.newInputStream(file)) {
                p.load(in);
            }
        } else {
            Map<String, Scorer.Score> scores = new LinkedHashMap<>();
            for (FfmpegPeer.Variant v : FfmpegPeer.variants(c)) {
                Path out = dir.resolve(Main.slug(v));
                for (Pair pair : c.pairs()) FfmpegPeer.interpolate(pair, v, dir.resolve("work"), out.resolve(pair.label()));
                scores.put(v.name(), Scorer.score(c, pr -> out.resolve(pr.label())).all());
            }
            String best = scores.entrySet().stream().max((x, y) -> Double.compare(x.getValue().psnr(), y.getValue().psnr()))
                    .orElseThrow().getKey();
            p.setProperty("name", best);
            p.setProperty("psnr", String.valueOf(scores.get(best).psnr()));
            p.setProperty("ssim", String.valueOf(scores.values().stream().mapToDouble(Scorer.Score::ssim).max().orElseThrow()));
            Files.createDirectories(dir);
            try (var out = Files.newOutputStream(file)) {
                p.store(out, c.name());
            }
        }
        peerName = p.getProperty("name");
        return new double[] {Double.parseDouble(p.getProperty("psnr")), Double.parseDouble(p.getProperty("ssim"))};
    }

    private static Rgb rgb(Mat bgr) {
        int w = bgr.cols(), h = bgr.rows();
        byte[] d = new byte[w * h * 3];
        bgr.get(0, 0, d);
        for (int i = 0; i < d.length; i += 3) {
            byte t = d[i];
            d[i] = d[i + 2];
            d[i + 2] = t;
        }
        return new Rgb(w, h, d);
    }
}
