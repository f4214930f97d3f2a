package io.framegate.server.db;

import org.jdbi.v3.core.Handle;

/** A piece of work that may fail on its own inside a caller's transaction. */
public final class Savepoint {
    private Savepoint() {
    }

    /**
     * Runs {@code body} in its own transaction, or, on a handle already in one (a create's single transaction), in a
     * savepoint of it: a failed statement is undone alone and leaves the caller's transaction usable (PostgreSQL
     * refuses every statement of a transaction after a failed one until it rolls back to a savepoint).
     */
    public static void run(Handle h, String name, Runnable body) {
        if (!h.isInTransaction()) {
            h.useTransaction(t -> body.run());
            return;
        }
        h.savepoint(name);
        try {
            body.run();
        } catch (RuntimeException e) {
            h.rollbackToSavepoint(name);
            throw e;
        }
        h.releaseSavepoint(name);
    }
}
