package io.framegate.provider;

import java.time.Duration;

/** What one step of a cloud job that waits on its upstream decided; the job core persists it. */
public sealed interface PollStep {
    /**
     * Still running: look again after {@code after} (already cut to the job's deadline); {@code interval} is the poll
     * interval from then on (it grows by {@code poll_factor} up to {@code poll_max}), {@code polls} the polls so far.
     */
    record Wait(Duration after, Duration interval, int polls) implements PollStep { }

    /** The upstream finished the job: its videos are ready to download (in a worker slot). */
    record Ready(int polls) implements PollStep { }

    /** The videos are downloaded into the job's outputs. */
    record Delivered() implements PollStep { }
}
