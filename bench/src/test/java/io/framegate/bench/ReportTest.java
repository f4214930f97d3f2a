package io.framegate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportTest {
    private static final Pair PAIR = new Pair("00-02", Path.of("a.png"), Path.of("b.png"), 2, List.of(Path.of("t.png")));
    private static final BenchCase CASE = new BenchCase("small-gap", "test", List.of(PAIR), false, true, false, false);

    private static Scorer.CaseScore score(double psnr, double ssim) {
        Scorer.Score s = new Scorer.Score(psnr, ssim, 1.0, 1);
        return new Scorer.CaseScore(s, Map.of(PAIR.label(), s));
    }

    private static Timing wall(double seconds) {
        return new Timing(seconds, seconds, 100, 3, Double.NaN, Double.NaN);
    }

    private static Report.CaseResult result(double enginePsnr, double engineSsim, double engineWall, double peerWall) {
        Map<String, Scorer.CaseScore> variants = new LinkedHashMap<>();
        variants.put("bidir", score(30.0, 0.95));   // best SSIM
        variants.put("bilat", score(31.0, 0.93));   // best PSNR: the peer
        return new Report.CaseResult(CASE, new Report.Row("engine", score(enginePsnr, engineSsim), wall(engineWall)),
                new Report.Row("minterpolate bilat", variants.get("bilat"), wall(peerWall)),
                new Report.Row("cross-fade", score(25, 0.8), wall(0.5)), variants, Map.of(), Map.of());
    }

    @Test
    void meetsTheBarOnlyWhenBeatingEveryVariantOnEachMetricAndTwiceAsFast() {
        Report r = new Report();
        r.add(result(32.0, 0.96, 1.0, 2.5));
        assertThat(r.verdicts()).singleElement().asString().contains("MEETS THE BAR").contains("speed 2.50x ok");
    }

    @Test
    void ssimIsComparedWithTheBestSsimVariantNotOnlyThePeer() {
        Report r = new Report();
        r.add(result(32.0, 0.94, 1.0, 2.5));   // beats the peer's 0.93 but not bidir's 0.95
        assertThat(r.verdicts()).singleElement().asString().contains("misses the bar").contains("SSIM LOSS (0.9400 vs 0.9500)");
    }

    @Test
    void lessThanTwiceAsFastMissesTheBar() {
        Report r = new Report();
        r.add(result(32.0, 0.96, 1.0, 1.9));
        assertThat(r.verdicts()).singleElement().asString().contains("misses the bar").contains("speed 1.90x LOSS");
    }

    @Test
    void tableShowsEngineMinusPeerAndSpeedRatio() {
        Report r = new Report();
        r.add(result(32.5, 0.96, 2.0, 5.0));
        assertThat(r.console()).contains("+1.50").contains("+0.0300").contains("2.50x");
        assertThat(r.markdown("t")).contains("| small-gap | engine | 32.50 | 0.9600 |");
    }
}
