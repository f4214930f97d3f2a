package io.framegate.server.jobs;

/**
 * A claim on one job: the process that holds it and the epoch (fencing token) its claim set. Every write of a running
 * attempt names both, so a write from an attempt whose lease was taken over (by another instance, or a later claim)
 * changes nothing.
 */
record Lease(String owner, long epoch) {
}
