package io.framegate.domain;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Money is converted from the catalog's decimals once, exactly, and is integer arithmetic after that. */
class MoneyTest {
    @Test
    void decimalPricesBecomeExactMicroDollars() {
        assertThat(Money.ofUsd(0.4).micros()).isEqualTo(400_000);
        assertThat(Money.ofUsd(0.1).micros()).isEqualTo(100_000); // not 0.1000000000000000055...
        assertThat(Money.ofUsd(0.123456).micros()).isEqualTo(123_456);
        assertThat(Money.parseUsd("3.2000").micros()).isEqualTo(3_200_000);
        // a float sum drifts (0.1 x 3 = 0.30000000000000004); the integer sum does not
        assertThat(Money.ofUsd(0.1).times(3)).isEqualTo(Money.ofUsd(0.3));
        assertThat(new Money(3_200_000).usd()).isEqualTo("3.200000");
        assertThat(new Money(3_200_000).usdShort()).isEqualTo("3.2000");
        assertThat(new Money(123_456).usdShort()).isEqualTo("0.123456");
        assertThat(Money.usd(-1_800_000)).isEqualTo("-1.800000");
    }

    @Test
    void aPriceFinerThanAMicroDollarOrNegativeIsRefused() {
        assertThatThrownBy(() -> Money.ofUsd(0.0000001)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("micro-dollar");
        assertThatThrownBy(() -> Money.ofUsd(-1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative");
        assertThatThrownBy(() -> Money.parseUsd("abc")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Money(Long.MAX_VALUE).times(2)).isInstanceOf(ArithmeticException.class);
    }

    @Test
    void theCatalogRefusesAPriceItCannotHoldExactly() {
        assertThatThrownBy(() -> new ModelSpec("m", List.of(), "google", "keyframes", "", Map.of(), 0, List.of(8), null, 8,
                List.of("1280x720"), null, "1280x720", List.of(24), null, 24, 1, false, false, false, "never", false,
                Map.of("720p", 0.0000004), List.of(), null, null, null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pricePerSecond.720p");
    }

    @Test
    void theMaximumPriceIsPricePerSecondTimesSecondsTimesVideosAtTheResolution() {
        RequestValidator v = new RequestValidator(ModelCatalog.builtIn());
        RenderPlan veo = v.validate(GenerationRequest.builder().model("veo-3.1-generate-001").prompt("p").seconds(8)
                .size("1280x720").build());
        assertThat(veo.maxPrice()).contains(new Money(3_200_000));
        for (ModelSpec m : ModelCatalog.builtIn().models()) {
            m.pricePerSecond().keySet().forEach(r -> assertThat(m.priceMicrosPerSecondAt(r)).isPresent());
        }
    }
}
