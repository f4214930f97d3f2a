package io.framegate.domain;

import java.time.LocalDate;

/**
 * Where a model stands at its vendor: {@code active}, {@code deprecated} (still served, shutdown announced) or
 * {@code retired} (the vendor's endpoint is gone; Framegate may still serve the name through another route).
 *
 * @param status      active, deprecated or retired
 * @param shutdown    the vendor's shutdown date, if any
 * @param replacement the model the vendor names as replacement, if any
 * @param note        where the fact comes from
 */
public record Lifecycle(String status, LocalDate shutdown, String replacement, String note) {
    public static final Lifecycle ACTIVE = new Lifecycle("active", null, null, null);

    public Lifecycle {
        status = status == null ? "active" : status;
    }

    public boolean isRetired() {
        return "retired".equals(status);
    }
}
