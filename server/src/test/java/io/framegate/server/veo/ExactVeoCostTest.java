package io.framegate.server.veo;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.framegate.server.openai.ExactCostJsonTest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A Veo operation's {@code metadata.framegate.cost_usd} is the micro-dollar note written exactly, never through a double. */
class ExactVeoCostTest {
    @Test
    void theOperationCarriesTheCostExactly() throws Exception {
        VeoOperationName name = VeoOperationName.parse("models/veo-3.1-generate-001/operations/abc").orElseThrow();
        var op = VeoOperations.operation(name, VeoHttp.view(ExactCostJsonTest.completed("12345678.123456")),
                "http://127.0.0.1:1", "v1beta", (job, i) -> new byte[0]);
        assertThat(new ObjectMapper().writeValueAsString(op)).contains("\"cost_usd\":12345678.123456");
    }
}
