package io.framegate.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The results of one benchmark run and their rendering as the console table and the markdown file. */
public final class Report {
    /** Published Middlebury "Other" figures (IE, and PSNR where published) printed next to the measured ones. */
    public static final String MIDDLEBURY_PUBLISHED = "published on the same 12 triplets (IE / PSNR): blend 5.84 / 27.9 dB, "
            + "minterpolate ~2.95 / ~33.0 dB, SepConv 2.27, neural (RIFE, IFRNet, EMA-VFI) ~1.9 / ~37.5 dB";

    /**
     * One method on one case.
     *
     * @param method  display name ({@code engine}, {@code minterpolate bilat}, {@code cross-fade})
     * @param score   quality
     * @param timing  whole-command time, or null when the case is not timed
     */
    public record Row(String method, Scorer.CaseScore score, Timing timing) {
    }

    /**
     * Everything measured on one case.
     *
     * @param c        the case
     * @param engine   the engine's row, or null when the engine was skipped
     * @param peer     the best minterpolate variant's row (by PSNR)
     * @param fastest  the faster timed minterpolate variant's row when it is not the peer, else null
     * @param blend    the cross-fade row
     * @param variants every minterpolate variant's score (the peer among them), and its PNG-output run time
     * @param variantWall summed wall time of each variant's PNG-output runs
     * @param engineStages in-process stage seconds the engine reported (summed over pairs), may be empty
     * @param variantTimings whole-command timings of the timed minterpolate variants (bidir, bilat)
     */
    public record CaseResult(BenchCase c, Row engine, Row peer, Row fastest, Row blend, Map<String, Scorer.CaseScore> variants,
                             Map<String, Double> variantWall, Map<String, Double> engineStages,
                             Map<String, Timing> variantTimings) {
        /** The faster timed minterpolate variant's whole-command wall time, NaN when not timed. */
        double fastestWall() {
            return variantTimings.values().stream().mapToDouble(Timing::wallSeconds).min().orElse(Double.NaN);
        }

        /** Engine wall over the faster minterpolate variant's wall allowed on this case: 0.5 from 1280 px wide, else 1.0. */
        double allowedRatio() {
            return c.width() >= 1280 ? 0.5 : 1.0;
        }
    }

    private final List<CaseResult> cases = new ArrayList<>();
    private final Map<String, String> environment = new LinkedHashMap<>();
    private final List<String> checks = new ArrayList<>();

    public void add(CaseResult r) {
        cases.add(r);
    }

    public void environment(String key, String value) {
        environment.put(key, value);
    }

    public void check(String line) {
        checks.add(line);
    }

    public List<CaseResult> cases() {
        return cases;
    }

    private static final String[] HEAD = {"case", "half", "method", "PSNR dB", "SSIM", "IE", "wall s", "CPU s", "fps", "synth s",
            "encode s", "peak MB", "dPSNR", "dSSIM", "wall ratio"};

    private List<String[]> tableRows() {
        List<String[]> rows = new ArrayList<>();
        for (CaseResult r : cases) {
            boolean first = true;
            for (Row row : new Row[] {r.engine, r.peer, r.fastest, r.blend}) {
                if (row == null) continue;
                String[] cells = new String[HEAD.length];
                cells[0] = first ? r.c.name() : "";
                cells[1] = first ? r.c.split().label() : "";
                first = false;
                cells[2] = row.method();
                Scorer.Score s = row.score().all();
                cells[3] = f("%.2f", s.psnr());
                cells[4] = f("%.4f", s.ssim());
                cells[5] = f("%.2f", s.ie());
                Timing t = row.timing();
                cells[6] = t == null ? "-" : f("%.2f", t.wallSeconds());
                cells[7] = t == null ? "-" : f("%.2f", t.cpuSeconds());
                cells[8] = t == null ? "-" : f("%.1f", t.fps());
                cells[9] = t == null || Double.isNaN(t.synthSeconds()) ? "-" : f("%.2f", t.synthSeconds());
                cells[10] = t == null || Double.isNaN(t.encodeSeconds()) ? "-" : f("%.2f", t.encodeSeconds());
                cells[11] = t == null ? "-" : f("%.0f", t.peakRssMb());
                if (row == r.engine && r.peer != null) {
                    Scorer.Score p = r.peer.score().all();
                    cells[12] = f("%+.2f", s.psnr() - p.psnr());
                    cells[13] = f("%+.4f", s.ssim() - p.ssim());
                    cells[14] = t == null || Double.isNaN(r.fastestWall()) ? "-" : f("%.2f", t.wallSeconds() / r.fastestWall());
                } else {
                    cells[12] = cells[13] = cells[14] = "";
                }
                rows.add(cells);
            }
        }
        return rows;
    }

    /** The one table, aligned for a terminal, followed by the verdict per case. */
    public String console() {
        List<String[]> rows = tableRows();
        int[] w = new int[HEAD.length];
        for (int i = 0; i < HEAD.length; i++) w[i] = HEAD[i].length();
        for (String[] r : rows) for (int i = 0; i < r.length; i++) w[i] = Math.max(w[i], r[i].length());
        StringBuilder sb = new StringBuilder();
        line(sb, HEAD, w);
        int total = 0;
        for (int x : w) total += x + 2;
        sb.append("-".repeat(total)).append('\n');
        for (String[] r : rows) {
            if (!r[0].isEmpty() && sb.length() > 0 && rows.indexOf(r) > 0) sb.append('\n');
            line(sb, r, w);
        }
        sb.append('\n').append(legend()).append('\n');
        for (String v : verdicts()) sb.append(v).append('\n');
        return sb.toString();
    }

    private static void line(StringBuilder sb, String[] cells, int[] w) {
        for (int i = 0; i < cells.length; i++) {
            String c = cells[i];
            sb.append(i < 3 ? pad(c, w[i]) : lpad(c, w[i])).append("  ");
        }
        sb.setLength(sb.length() - 2);
        sb.append('\n');
    }

    static String legend() {
        return """
                PSNR/SSIM/IE: mean over every in-between (keyframes excluded) vs the true frame; one Java scorer for all \
                methods (SSIM as FFmpeg's ssim filter on R,G,B; IE = mean |RGB error|, lower is better).
                wall s: whole command per keyframe pair (fastest of --repeat runs), summed - keyframe PNGs in, H.264 MP4 out \
                (the engine's x264 settings: veryfast, CRF 18, no mbtree, keyframes at QP 6):
                  engine = a fresh JVM (JVM start + PNG read + render + encode; launcher: the 'engine whole command' line); \
                ffmpeg = the ffmpeg command. CPU s = user + system time of those commands. fps = MP4 frames / wall s.
                synth s / encode s: engine = its own stage timers inside that run (synth = flow + synthesis summed over \
                its worker threads; encode overlaps synthesis); ffmpeg = encode s from a separate run encoding the same frames from raw RGB \
                with the same settings, synth s = wall minus that (so it includes process start and PNG decode).
                dPSNR, dSSIM: engine minus the peer (best minterpolate variant by PSNR); wall ratio: engine wall / the faster \
                minterpolate variant's wall (bidir or bilat; the goal is <= 0.5 at 1280 px wide and up, <= 1.0 below).
                half: tuning = the engine's parameters were chosen on it; held-out = never tuned on.""";
    }

    /**
     * Whether the engine met the goal on each case: beats every minterpolate variant on PSNR and on SSIM, and its
     * whole command takes at most {@link CaseResult#allowedRatio} of the faster minterpolate variant's.
     */
    public List<String> verdicts() {
        List<String> out = new ArrayList<>();
        for (CaseResult r : cases) {
            if (r.engine == null) continue;
            Scorer.Score e = r.engine.score().all();
            double bestPsnr = r.variants.values().stream().mapToDouble(s -> s.all().psnr()).max().orElse(Double.NaN);
            double bestSsim = r.variants.values().stream().mapToDouble(s -> s.all().ssim()).max().orElse(Double.NaN);
            boolean psnr = e.psnr() > bestPsnr, ssim = e.ssim() > bestSsim;
            String speed;
            boolean fast = true;
            if (r.engine.timing() != null && !Double.isNaN(r.fastestWall())) {
                double ratio = r.engine.timing().wallSeconds() / r.fastestWall();
                fast = ratio <= r.allowedRatio();
                speed = f("wall ratio %.2f %s", ratio, fast ? "ok" : f("LOSS (> %.1f)", r.allowedRatio()));
            } else {
                speed = "speed not timed here";
            }
            boolean timed = r.engine.timing() != null;
            String verdict = !(psnr && ssim && fast) ? "misses the bar" : timed ? "MEETS THE BAR" : "meets the quality bar";
            out.add(f("%-13s %-8s %s: PSNR %s (%.2f vs best variant %.2f), SSIM %s (%.4f vs %.4f), %s", r.c.name(),
                    r.c.split().label(), verdict, psnr ? "win" : "LOSS", e.psnr(), bestPsnr,
                    ssim ? "win" : "LOSS", e.ssim(), bestSsim, speed));
            if (r.c.middlebury()) out.add(f("%-13s %s", r.c.name(), MIDDLEBURY_PUBLISHED));
        }
        for (CaseResult r : cases) {
            if (r.engine == null && r.c.middlebury()) out.add(f("%-13s %s", r.c.name(), MIDDLEBURY_PUBLISHED));
        }
        for (Cases.Split half : Cases.Split.values()) {
            long n = cases.stream().filter(r -> r.engine != null && r.c.split() == half).count();
            if (n == 0) continue;
            List<String> missed = new ArrayList<>();
            for (String v : out) {
                if (v.contains(" " + half.label() + " ") && v.contains("misses the bar")) missed.add(v.substring(0, v.indexOf(' ')));
            }
            out.add(f("%s: %d of %d cases meet the goal%s", half == Cases.Split.CHECK ? "check set" : half.label() + " half",
                    n - missed.size(), n,
                    missed.isEmpty() ? "" : "; still losing: " + String.join(", ", missed)));
        }
        return out;
    }

    /** The markdown file: the table, the verdicts, every variant, per-pair figures, checks and the environment. */
    public String markdown(String title) {
        StringBuilder sb = new StringBuilder("# ").append(title).append("\n\n");
        sb.append("| ").append(String.join(" | ", HEAD)).append(" |\n");
        sb.append("|").append("---|".repeat(2)).append("---:|".repeat(HEAD.length - 2)).append('\n');
        String current = "";
        for (String[] r : tableRows()) {
            if (!r[0].isEmpty()) current = r[0];
            String[] cells = r.clone();
            if (cells[0].isEmpty()) cells[0] = current;
            sb.append("| ").append(String.join(" | ", cells)).append(" |\n");
        }
        sb.append('\n');
        for (String l : legend().split("\n")) sb.append(l.startsWith("  ") ? l.strip() : l).append("  \n");
        sb.append("\n## Verdict\n\n");
        for (String v : verdicts()) sb.append("- ").append(v.strip()).append('\n');

        sb.append("\n## Every minterpolate variant (the peer is the best PSNR)\n\n");
        sb.append("| case | variant | PSNR dB | SSIM | IE | PNG-output run wall s |\n|---|---|---:|---:|---:|---:|\n");
        for (CaseResult r : cases) {
            for (Map.Entry<String, Scorer.CaseScore> v : r.variants.entrySet()) {
                Scorer.Score s = v.getValue().all();
                sb.append(f("| %s | %s | %.2f | %.4f | %.2f | %.2f |%n", r.c.name(), v.getKey(), s.psnr(), s.ssim(), s.ie(),
                        r.variantWall.getOrDefault(v.getKey(), Double.NaN)));
            }
        }

        sb.append("\n## Per pair (PSNR dB / SSIM / IE)\n\n");
        for (CaseResult r : cases) {
            sb.append("**").append(r.c.name()).append("** - ").append(r.c.description()).append("\n\n");
            List<Row> rows = new ArrayList<>();
            for (Row row : new Row[] {r.engine, r.peer, r.fastest, r.blend}) if (row != null) rows.add(row);
            sb.append("| pair |");
            for (Row row : rows) sb.append(' ').append(row.method()).append(" |");
            sb.append("\n|---|").append("---:|".repeat(rows.size())).append('\n');
            for (Pair p : r.c.pairs()) {
                sb.append("| ").append(p.label()).append(" |");
                for (Row row : rows) {
                    Scorer.Score s = row.score().perPair().get(p.label());
                    sb.append(f(" %.2f / %.4f / %.2f |", s.psnr(), s.ssim(), s.ie()));
                }
                sb.append('\n');
            }
            if (!r.engineStages.isEmpty()) {
                sb.append("\nEngine stage timers in the counted whole-command runs, summed over pairs, s (decode includes "
                        + "loading the native libraries; JVM wall - total = JVM start-up and request handling): ");
                List<String> parts = new ArrayList<>();
                r.engineStages.forEach((k, v) -> parts.add(k + " " + f("%.3f", v)));
                sb.append(String.join(", ", parts)).append('\n');
            }
            sb.append('\n');
        }

        sb.append("## Checks\n\n");
        for (String c : checks) sb.append("- ").append(c).append('\n');
        sb.append("\n## Environment\n\n");
        environment.forEach((k, v) -> sb.append("- ").append(k).append(": ").append(v).append('\n'));
        return sb.toString();
    }

    private static String pad(String s, int w) {
        return s + " ".repeat(Math.max(0, w - s.length()));
    }

    private static String lpad(String s, int w) {
        return " ".repeat(Math.max(0, w - s.length())) + s;
    }

    static String f(String fmt, Object... args) {
        return String.format(Locale.ROOT, fmt, args);
    }
}
