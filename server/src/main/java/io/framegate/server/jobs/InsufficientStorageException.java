package io.framegate.server.jobs;

/**
 * The data directory's disk has less free space than {@code limits.min_free_disk}: new jobs are refused before
 * anything is written. Surfaces answer 507 ({@code insufficient_storage}); the message names no path or size.
 */
public final class InsufficientStorageException extends RuntimeException {
    public InsufficientStorageException() {
        super("The server does not have enough free storage to accept new videos right now; try again later.");
    }
}
