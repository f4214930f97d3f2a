package io.framegate.server;

import io.framegate.server.storage.DiskSpace;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The free-space check every create makes before its limits: a create that finds it armed waits there until the
 * test releases it, holding its Idempotency-Key claim (taken before it) but no rate slot and no reservation.
 */
final class HeldDisk implements DiskSpace {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    volatile boolean armed;

    @Override
    public long usableBytes() throws java.io.IOException {
        if (armed) {
            synchronized (this) {
                if (armed) {
                    armed = false;
                    entered.countDown();
                    try {
                        release.await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        }
        return Long.MAX_VALUE / 2;
    }
}
