package io.framegate.server.jobs;

/** The job exists but is not in a state that allows the operation (e.g. remixing a video that is not finished). */
public class JobStateException extends RuntimeException {
    public JobStateException(String message) {
        super(message);
    }
}
