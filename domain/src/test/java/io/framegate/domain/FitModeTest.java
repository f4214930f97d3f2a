package io.framegate.domain;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FitModeTest {
    @Test
    void oneNameSetWithItsAliasesOnEveryRoute() {
        assertThat(FitMode.parse("crop")).isEqualTo(FitMode.CROP);
        assertThat(FitMode.parse(" Cover ")).isEqualTo(FitMode.CROP);
        assertThat(FitMode.parse("pad")).isEqualTo(FitMode.PAD);
        assertThat(FitMode.parse("contain")).isEqualTo(FitMode.PAD);
        assertThat(FitMode.parse("letterbox")).isEqualTo(FitMode.PAD);
        assertThat(FitMode.parse("STRETCH")).isEqualTo(FitMode.STRETCH);
        assertThat(FitMode.parse("fill")).isEqualTo(FitMode.STRETCH);
        assertThat(FitMode.parse(null)).as("not given").isNull();
        assertThat(FitMode.parse("  ")).isNull();
        assertThat(GenerationRequest.builder().build().fitOrDefault()).isEqualTo(FitMode.CROP);
    }

    @Test
    void anUnknownModeIsRefusedNamingTheFieldTheValueAndTheAllowedNames() {
        assertThatThrownBy(() -> FitMode.parse("zoom")).isInstanceOfSatisfying(ValidationException.class, e -> {
            assertThat(e.first().param()).isEqualTo("fit");
            assertThat(e.first().value()).isEqualTo("zoom");
            assertThat(e.first().message()).isEqualTo("fit=zoom is not a fit mode; allowed: crop (cover), "
                    + "pad (contain, letterbox), stretch (fill)");
        });
    }

    @Test
    void theFitIsATypedFieldAndAStoredOptionBecomesIt() {
        GenerationRequest typed = GenerationRequest.builder().model("m").fit(FitMode.PAD).build();
        assertThat(typed.fit()).isEqualTo(FitMode.PAD);
        assertThat(typed.toBuilder().build().fit()).as("kept by toBuilder").isEqualTo(FitMode.PAD);
        // a request stored before fit was typed held it among the options
        GenerationRequest legacy = new GenerationRequest("m", null, null, null, null, null, null, null, null, null,
                null, null, null, null, Map.of("fit", "cover", "easing", "linear"), null);
        assertThat(legacy.fit()).isEqualTo(FitMode.CROP);
        assertThat(legacy.options()).containsExactly(Map.entry("easing", "linear"));
    }
}
