package io.framegate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {
    @TempDir
    Path dir;

    private BenchCase benchCase(int width, Cases.Split split) throws Exception {
        Path a = dir.resolve("a" + width + ".png");
        ImageIO.write(new BufferedImage(width, 16, BufferedImage.TYPE_INT_RGB), "png", a.toFile());
        Pair pair = new Pair("00-02", a, a, 2, List.of(a));
        return new BenchCase("orbit-2x", "test", List.of(pair), false, true, false, false, split);
    }

    private static Scorer.CaseScore score(double psnr, double ssim) {
        Scorer.Score s = new Scorer.Score(psnr, ssim, 1.0, 1);
        return new Scorer.CaseScore(s, Map.of("00-02", s));
    }

    private static Timing wall(double seconds) {
        return new Timing(seconds, seconds, 100, 3, Double.NaN, Double.NaN);
    }

    /** bidir has the best SSIM and is slower; bilat has the best PSNR (the peer) and is faster. */
    private static Report.CaseResult result(BenchCase c, double enginePsnr, double engineSsim, double engineWall,
                                            double bidirWall, double bilatWall) {
        Map<String, Scorer.CaseScore> variants = new LinkedHashMap<>();
        variants.put("bidir", score(30.0, 0.95));
        variants.put("bilat", score(31.0, 0.93));
        Map<String, Timing> timings = new LinkedHashMap<>();
        timings.put("bidir", wall(bidirWall));
        timings.put("bilat", wall(bilatWall));
        return new Report.CaseResult(c, new Report.Row("engine", score(enginePsnr, engineSsim), wall(engineWall)),
                new Report.Row("minterpolate bilat", variants.get("bilat"), timings.get("bilat")), null,
                new Report.Row("cross-fade", score(25, 0.8), wall(0.5)), variants, Map.of(), Map.of(), timings);
    }

    @Test
    void at720pTheEngineMustTakeAtMostHalfTheFasterVariantsTime() throws Exception {
        BenchCase c = benchCase(1280, Cases.Split.TUNING);
        Report ok = new Report();
        ok.add(result(c, 32.0, 0.96, 1.0, 3.0, 2.0));
        assertThat(ok.verdicts().getFirst()).contains("MEETS THE BAR").contains("wall ratio 0.50 ok");
        Report slow = new Report();
        slow.add(result(c, 32.0, 0.96, 1.0, 1.8, 3.0));   // bidir is the faster one here: 1.0 / 1.8 = 0.56
        assertThat(slow.verdicts().getFirst()).contains("misses the bar").contains("wall ratio 0.56 LOSS (> 0.5)");
    }

    @Test
    void belowThatTheEngineMayTakeAsLongAsTheFasterVariant() throws Exception {
        BenchCase c = benchCase(640, Cases.Split.HELD_OUT);
        Report r = new Report();
        r.add(result(c, 32.0, 0.96, 1.9, 2.0, 3.0));
        assertThat(r.verdicts().getFirst()).contains("held-out").contains("MEETS THE BAR").contains("wall ratio 0.95 ok");
    }

    @Test
    void ssimIsComparedWithTheBestSsimVariantNotOnlyThePeer() throws Exception {
        Report r = new Report();
        r.add(result(benchCase(640, Cases.Split.TUNING), 32.0, 0.94, 1.0, 2.5, 2.5));   // beats the peer's 0.93 but not bidir's 0.95
        assertThat(r.verdicts().getFirst()).contains("misses the bar").contains("SSIM LOSS (0.9400 vs 0.9500)");
        assertThat(r.verdicts()).anySatisfy(v -> assertThat(v).contains("tuning half: 0 of 1 cases meet the goal; still losing: orbit-2x"));
    }

    @Test
    void tableShowsHalfEngineMinusPeerAndWallRatio() throws Exception {
        Report r = new Report();
        r.add(result(benchCase(1280, Cases.Split.HELD_OUT), 32.5, 0.96, 2.0, 5.0, 4.0));
        assertThat(r.console()).contains("held-out").contains("+1.50").contains("+0.0300").contains("0.50");
        assertThat(r.markdown("t")).contains("| orbit-2x | held-out | engine | 32.50 | 0.9600 |");
    }
}
