package io.framegate.server.jobs;

import java.util.List;

/** One page of a key's jobs; {@code hasMore} says whether a next page (after the last id) exists. */
public record JobPage(List<Job> data, boolean hasMore) {
    public JobPage {
        data = List.copyOf(data);
    }
}
