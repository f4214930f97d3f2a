package io.framegate.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The default run is the two halves fixed before tuning; the check set runs only when asked for. */
class CasesTest {
    @Test
    void theDefaultRunIsTheTwoHalvesAndTheCheckSetOnlyRunsWhenNamed() {
        assertThat(Main.ALL_CASES).hasSize(31).contains("cloth-gap", "bbb-50-gap", "middlebury")
                .noneMatch(n -> Cases.splitOf(n) == Cases.Split.CHECK);
        List<String> check = Main.expand(List.of("check"));
        assertThat(check).hasSize(24).contains("bbb-08-2x", "bbb-08-gap", "bbb-55-4x")
                .allMatch(n -> Cases.splitOf(n) == Cases.Split.CHECK)
                .doesNotContainAnyElementsOf(Main.ALL_CASES);
        // a source of the set by name, and its windows are not the halves' (3, 17, 40, 50 s)
        assertThat(Main.expand(List.of("bbb-22"))).containsExactly("bbb-22-2x", "bbb-22-4x", "bbb-22-gap");
        assertThat(Cases.FOOTAGE_CHECK).extracting(Cases.Source::name)
                .doesNotContainAnyElementsOf(Cases.FOOTAGE.stream().map(Cases.Source::name).toList());
        assertThat(Main.expand(List.of("tuning", "held-out"))).isEqualTo(Main.ALL_CASES);
    }
}
