package io.framegate.server.jobs;

/**
 * What a worker knows about a lease it holds: when the database last confirmed it (claim or renewal, on this JVM's
 * monotonic clock, taken before the statement was sent, so the lease runs at least until then plus its length), and
 * whether it was lost. Once lost it stays lost: the attempt stops and writes nothing more.
 */
final class HeldLease {
    private final Lease lease;
    private volatile long confirmedNanos;
    private volatile boolean lost;

    HeldLease(Lease lease, long confirmedNanos) {
        this.lease = lease;
        this.confirmedNanos = confirmedNanos;
    }

    Lease lease() {
        return lease;
    }

    void confirmed(long atNanos) {
        confirmedNanos = atNanos;
    }

    /** Marks it lost when the lease has run out since its last confirmation (renewals failed meanwhile). */
    void expireIfUnconfirmed(long nowNanos, long leaseNanos) {
        if (nowNanos - confirmedNanos >= leaseNanos) lost = true;
    }

    void lose() {
        lost = true;
    }

    boolean isLost() {
        return lost;
    }
}
