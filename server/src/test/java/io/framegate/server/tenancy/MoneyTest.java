package io.framegate.server.tenancy;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Dollar strings to integer micro-dollars and back, exactly. */
class MoneyTest {
    @Test
    void decimalStringsBecomeExactMicroDollars() {
        assertThat(Money.parseUsd("12.5", "budget_usd")).isEqualTo(12_500_000L);
        assertThat(Money.parseUsd("0.1", "budget_usd") + Money.parseUsd("0.2", "budget_usd")).isEqualTo(Money.parseUsd("0.3", "budget_usd"));
        assertThat(Money.parseUsd("0.000001", "budget_usd")).isEqualTo(1L);
        assertThat(Money.parseUsd(" 1e3 ", "budget_usd")).isEqualTo(1_000_000_000L);
        assertThat(Money.usd(1_234_567L)).isEqualTo("1.234567");
        assertThat(Money.usd(-5L)).isEqualTo("-0.000005");
        assertThat(Money.usd((Long) null)).isNull();
    }

    @Test
    void moreThanSixDecimalsNegativeOrNotANumberIsRefusedNamingTheField() {
        assertThatThrownBy(() -> Money.parseUsd("0.0000001", "budget_usd")).isInstanceOf(AdminException.class)
                .hasMessageContaining("budget_usd=0.0000001").hasMessageContaining("6 decimals");
        assertThatThrownBy(() -> Money.parseUsd("-1", "budget_usd")).hasMessageContaining("negative");
        assertThatThrownBy(() -> Money.parseUsd("ten", "budget_usd")).hasMessageContaining("not a dollar amount");
        assertThatThrownBy(() -> Money.parseUsd("1e13", "budget_usd")).hasMessageContaining("above");
    }
}
