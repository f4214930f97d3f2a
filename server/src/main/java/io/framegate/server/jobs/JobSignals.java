package io.framegate.server.jobs;

/**
 * Wake-ups between the job API and the job core of one process, so that a new job starts (or a cancelled waiting job
 * ends) at once instead of at the next round; every round also finds such work without them (another instance's
 * creates and cancels), so a missed signal only costs latency.
 */
public final class JobSignals {
    /** A job was queued (or became ready for a worker slot, or a slot was freed): the dispatcher looks, in that lane. */
    final LaneBell queued = new LaneBell();
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

    /**
     * A {@link Bell} that remembers which lanes were rung, so a wake-up for a new cloud job does not also read the
     * local lane's queue (and the reverse): with thousands of cloud jobs queued, reading a lane costs as much as
     * the queue is long, once per create. The dispatcher still reads every lane at least once per poll interval
     * (other instances' jobs ring no bell here).
     */
    static final class LaneBell {
        private boolean local;
        private boolean cloud;

        /** Every lane. */
        synchronized void ring() {
            local = true;
            cloud = true;
            notifyAll();
        }

        /** One lane: {@code local}, {@code cloud}, or anything else (an unknown lane) for every lane. */
        synchronized void ring(String lane) {
            if (!"cloud".equals(lane)) local = true;
            if (!"local".equals(lane)) cloud = true;
            notifyAll();
        }

        /** The lanes rung (at most {@code millis} waited for one; none when nothing rang); clears them. */
        synchronized Rung await(long millis) throws InterruptedException {
            if (!local && !cloud) wait(Math.max(1, millis));
            Rung r = new Rung(local, cloud);
            local = false;
            cloud = false;
            return r;
        }
    }

    /** Which lanes a {@link LaneBell} was rung for. */
    record Rung(boolean local, boolean cloud) {
    }
}
