package io.framegate.server.jobs;

/**
 * Wake-ups between the job API and the job core of one process, so that a new job starts (or a cancelled waiting job
 * ends) at once instead of at the next round; every round also finds such work without them (another instance's
 * creates and cancels), so a missed signal only costs latency.
 */
public final class JobSignals {
    /** A job was queued (or became ready for a worker slot): the dispatcher looks. */
    final Bell queued = new Bell();
    /** A waiting job became due now (cancelled, parked for an immediate poll): the poller looks. */
    final Bell due = new Bell();

    /** A flag with a wait: {@link #ring} wakes the one thread that {@link #await}s it. */
    static final class Bell {
        private boolean rung;

        synchronized void ring() {
            rung = true;
            notifyAll();
        }

        /** Waits until rung or {@code millis} passed; clears the flag. */
        synchronized void await(long millis) throws InterruptedException {
            if (!rung) wait(Math.max(1, millis));
            rung = false;
        }
    }
}
