package io.framegate.server.jobs;

/**
 * What a key must pass before {@link JobService#submit} does any work for it: its model allow-list (checked once the
 * model name is resolved) and its rate and queue limits (checked once the request is known to be a new job).
 */
public interface CreateAdmission {
    /**
     * Checks the key's model allow-list and answers the rest of this create's admission, on the key's limits as read
     * for this check (one read per create: a create's checks all see the same limits).
     *
     * @throws RuntimeException the key may not use {@code model} (403 {@code model_not_allowed})
     */
    Ticket checkModel(String keyId, String model);

    /** The rate and queue checks of one create, after its model was allowed. */
    interface Ticket {
        /** Counts one create of the key; throws when a requests-per-minute limit or the global queue bound is reached. */
        void admit();

        /** Gives back the requests-per-minute count of a create {@link #admit} let in that was then refused. */
        default void refund() {
        }
    }

    Ticket NO_LIMITS = () -> { };

    CreateAdmission NONE = (keyId, model) -> NO_LIMITS;
}
