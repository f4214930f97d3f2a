package io.framegate.server.jobs;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/** One kind of work with its own slots and threads: {@code local} renders or {@code cloud} jobs. */
final class Lane {
    final String name;
    final int size;
    final Semaphore slots;
    final ExecutorService executor;

    Lane(String name, int size) {
        this.name = name;
        this.size = size;
        this.slots = new Semaphore(size);
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(size, r -> {
            Thread t = new Thread(r, "framegate-" + name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }
}
