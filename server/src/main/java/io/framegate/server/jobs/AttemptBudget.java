package io.framegate.server.jobs;

/**
 * The attempts that bound a claimed job, by its phase. Until its upstream accepts it, every claim counts against
 * {@link WorkerSettings#maxAttempts()}; once accepted (paid for upstream, {@link JobStore#isAccepted}) only collecting
 * it is left, and the claims made since count against {@link WorkerSettings#maxDownloadAttempts()}: the submit's
 * attempts, used up or not, no longer decide whether a video the upstream made is fetched.
 *
 * @param phase {@code submit} or {@code download}, for the log
 * @param used  attempts counted in this phase, this claim's included
 * @param cap   attempts this phase gets
 */
record AttemptBudget(String phase, int used, int cap) {
    static AttemptBudget of(JobStore.Row row, WorkerSettings settings) {
        return JobStore.isAccepted(row.checkpoint())
                ? new AttemptBudget("download", row.downloadAttempts(), settings.maxDownloadAttempts())
                : new AttemptBudget("submit", row.attempts(), settings.maxAttempts());
    }

    /** Earlier attempts of this phase used every one it gets (they crashed or died with their process): do not run it. */
    boolean usedUp() {
        return used > cap;
    }

    /** This claim is the phase's last attempt: a crash now ends the job instead of retrying it. */
    boolean isLast() {
        return used >= cap;
    }

    @Override
    public String toString() {
        return phase + " attempt " + used + " of " + cap;
    }
}
