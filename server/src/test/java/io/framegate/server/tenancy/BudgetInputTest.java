package io.framegate.server.tenancy;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

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

    /**
     * An amount spelled with an exponent near an int's limit is refused naming the field with bounded work: never
     * written out in full (toPlainString of 1e2147483647 is two billion digits) nor rescaled (setScale(6) of
     * 1e-500000000 computes 10^499999994).
     */
    @Test
    void anAmountWithAHugeExponentIsRefusedNamingTheFieldInBoundedWork() {
        String[][] cases = {
                {"1e-500000000", "6 decimals"}, {"1e-2147483647", "6 decimals"}, {"5e-2147483647", "6 decimals"},
                {"1e2147483647", "above"}, {"100e2147483647", "above"}, {"-1e2147483647", "negative"},
                {"-1e-500000000", "negative"},
        };
        for (String[] c : cases) {
            assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
                assertThatThrownBy(() -> BudgetInput.parseUsd(c[0], "budget_usd")).as(c[0]).isInstanceOf(AdminException.class)
                        .hasMessageContaining("budget_usd=").hasMessageContaining(c[1]);
                assertThatThrownBy(() -> BudgetInput.micros(new BigDecimal(c[0]), "budget_usd")).as(c[0])
                        .isInstanceOf(AdminException.class).hasMessageContaining(c[1]);
            }, c[0]);
        }
        assertThat(BudgetInput.parseUsd("0e2147483647", "budget_usd")).isZero();
        assertThat(BudgetInput.parseUsd("0e-2147483647", "budget_usd")).isZero();
        assertThat(BudgetInput.parseUsd("1000000000000.000000e0", "budget_usd")).isEqualTo(1_000_000_000_000_000_000L);
        assertThat(BudgetInput.parseUsd("100000000e-8", "budget_usd")).isEqualTo(1_000_000L);
    }
}
