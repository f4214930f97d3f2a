package io.framegate.server.jobs;

/** Keys of {@link Job#notes()} that the core itself writes. Backends add their own (provider, upstream id, ...). */
public final class JobNotes {
    /** The backend id, e.g. {@code local}. */
    public static final String BACKEND = "backend";
    /** {@code true} when the video is rendered on this machine. */
    public static final String LOCAL_RENDER = "local_render";
    /** Cost in USD as a decimal number: 0 for local renders, the provider's price otherwise. */
    public static final String COST_USD = "cost_usd";

    private JobNotes() {
    }
}
