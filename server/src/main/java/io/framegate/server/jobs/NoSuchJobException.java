package io.framegate.server.jobs;

/** No job with this id exists for this key (another key's job counts as not existing). */
public class NoSuchJobException extends RuntimeException {
    private final String jobId;

    public NoSuchJobException(String jobId) {
        super("no video with id " + jobId);
        this.jobId = jobId;
    }

    public String jobId() {
        return jobId;
    }
}
