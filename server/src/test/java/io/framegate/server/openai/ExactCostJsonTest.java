package io.framegate.server.openai;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.framegate.domain.JobStatus;
import io.framegate.server.FramegateServer;
import io.framegate.server.jobs.Job;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The cost shown to clients is the micro-dollar note written exactly, never through a double. */
public class ExactCostJsonTest {
    public static Job completed(String cost) {
        Instant t = Instant.ofEpochSecond(1_764_480_000L);
        return new Job("video_cost", "key_a", "openai", "veo-3.1-generate-001", JobStatus.COMPLETED, 100, "p", 8,
                "1280x720", null, null, t, t, t, null, "route:veo-3.1-generate-001",
                Map.of("cost_usd", cost, "estimated_cost_usd", cost), 1, null, null, Map.of());
    }

    @Test
    void theOpenAiVideoObjectCarriesTheCostExactly() throws Exception {
        ObjectMapper json = FramegateServer.newJsonMapper();
        String text = json.writeValueAsString(new VideoJson(json).video(completed("12345678.123456")));
        assertThat(text).contains("\"cost_usd\":12345678.123456").contains("\"estimated_cost_usd\":12345678.123456");
        assertThat(json.writeValueAsString(new VideoJson(json).video(completed("3.2000")))).contains("\"cost_usd\":3.2");
    }
}
