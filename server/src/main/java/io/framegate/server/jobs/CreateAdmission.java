package io.framegate.server.jobs;

/**
 * What a key must pass before {@link JobService#submit} does any work for it: its model allow-list (checked once the
 * model name is resolved) and its rate and queue limits (checked once the request is known to be a new job).
 */
public interface CreateAdmission {
    /** @throws RuntimeException the key may not use {@code model} (403 {@code model_not_allowed}) */
    void checkModel(String keyId, String model);

    /** Counts one create of the key; throws when a requests-per-minute limit or the global queue bound is reached. */
    void admit(String keyId);

    /** Gives back the requests-per-minute count of a create {@link #admit} let in that was then refused. */
    default void refund(String keyId) {
    }

    CreateAdmission NONE = new CreateAdmission() {
        @Override
        public void checkModel(String keyId, String model) {
        }

        @Override
        public void admit(String keyId) {
        }
    };
}
