package io.framegate.provider;

import java.time.Duration;
import java.util.List;

/** What one poll of an upstream job found. */
public sealed interface Poll {
    /** Still queued or running; {@code pollAfter} is the upstream's hint for the next poll, or null. */
    record Running(int progressPercent, Duration pollAfter) implements Poll { }

    /** Finished with these videos, in upstream order. */
    record Done(List<ResultRef> videos) implements Poll {
        public Done {
            videos = List.copyOf(videos);
        }
    }

    /** Finished without videos because the upstream's safety filter blocked them; {@code reason} is the upstream's own text. */
    record Filtered(String reason) implements Poll { }

    /** The upstream reports the job failed (or expired); {@code code} and {@code message} are the upstream's. */
    record Failed(String code, String message) implements Poll { }
}
