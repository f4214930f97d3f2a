package io.framegate.server.tenancy;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Dollar strings to integer micro-dollars and back, exactly. */
class BudgetInputTest {
    @Test
    void decimalStringsBecomeExactMicroDollars() {
        assertThat(BudgetInput.parseUsd("12.5", "budget_usd")).isEqualTo(12_500_000L);
        assertThat(BudgetInput.parseUsd("0.1", "budget_usd") + BudgetInput.parseUsd("0.2", "budget_usd")).isEqualTo(BudgetInput.parseUsd("0.3", "budget_usd"));
        assertThat(BudgetInput.parseUsd("0.000001", "budget_usd")).isEqualTo(1L);
        assertThat(BudgetInput.parseUsd(" 1e3 ", "budget_usd")).isEqualTo(1_000_000_000L);
        assertThat(BudgetInput.usd(1_234_567L)).isEqualTo("1.234567");
        assertThat(BudgetInput.usd(-5L)).isEqualTo("-0.000005");
        assertThat(BudgetInput.usd((Long) null)).isNull();
    }

    @Test
    void moreThanSixDecimalsNegativeOrNotANumberIsRefusedNamingTheField() {
        assertThatThrownBy(() -> BudgetInput.parseUsd("0.0000001", "budget_usd")).isInstanceOf(AdminException.class)
                .hasMessageContaining("budget_usd=0.0000001").hasMessageContaining("6 decimals");
        assertThatThrownBy(() -> BudgetInput.parseUsd("-1", "budget_usd")).hasMessageContaining("negative");
        assertThatThrownBy(() -> BudgetInput.parseUsd("ten", "budget_usd")).hasMessageContaining("not a dollar amount");
        assertThatThrownBy(() -> BudgetInput.parseUsd("1e13", "budget_usd")).hasMessageContaining("above");
        assertThatThrownBy(() -> BudgetInput.parseUsd("\u0661\u0662", "budget_usd")).as("Arabic-Indic digits")
                .hasMessageContaining("not a dollar amount");
        assertThatThrownBy(() -> BudgetInput.parseUsd("+5", "budget_usd")).hasMessageContaining("not a dollar amount");
    }
}
