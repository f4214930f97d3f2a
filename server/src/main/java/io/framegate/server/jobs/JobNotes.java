package io.framegate.server.jobs;

/** Keys of {@link Job#notes()} that the core itself writes. Backends add their own (provider, upstream id, ...). */
public final class JobNotes {
    /** The backend id, e.g. {@code local}. */
    public static final String BACKEND = "backend";
    /** {@code true} when the video is rendered on this machine. */
    public static final String LOCAL_RENDER = "local_render";
    /** Cost in USD as a decimal number: 0 for local renders, the provider's price otherwise. */
    public static final String COST_USD = "cost_usd";
    /** What the upstream really charged, kept when it exceeded the reservation (cost_usd then shows the capture). */
    public static final String UPSTREAM_COST_USD = "upstream_cost_usd";
    /** The catalog's price of the job at submission (upstream model's price per second x seconds x videos; 0 locally). */
    public static final String ESTIMATED_COST_USD = "estimated_cost_usd";
    /** The config channel serving the job: planned at submission, the one that took it once running. */
    public static final String CHANNEL = "channel";
    /** The catalog model asked for upstream (may differ from the job's model by the route). */
    public static final String UPSTREAM_MODEL = "upstream_model";
    /** The model name the client sent when it was a config alias (the job's model is then the catalog id). */
    public static final String REQUESTED_MODEL = "requested_model";
    /** An extension's place in its chain: 1 extends an original video, 2 an extension of one, ... */
    public static final String EXTENSION_DEPTH = "extension_depth";
    /** The upstream's id of the job (written by cloud backends); kept indexed as {@code jobs.upstream_handle}. */
    public static final String UPSTREAM_ID = "upstream_id";

    private JobNotes() {
    }
}
