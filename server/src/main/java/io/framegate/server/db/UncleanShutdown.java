package io.framegate.server.db;

import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Makes H2 open a file that a killed process left (kill -9, OOM killer, crash) at its newest commit, before H2 opens it.
 * <p>
 * Why: H2 (2.5.252 and the versions before it) can lose the last commits of a killed process. When a commit's chunk goes
 * into space H2 reuses in the file rather than where the previous chunk predicted, H2 rewrites the store header, but
 * with the previous chunk in it ({@code FileStore.storeBuffer} sets {@code lastChunk} only after
 * {@code RandomAccessStore.writeChunk} wrote the header). After a kill, H2's quick recovery starts from that chunk,
 * finds it and everything it needs intact, and opens there: up to 20 commits after it, each acknowledged, are gone.
 * Busy files reuse space all the time (chunks are freed 45 s after they are unused), and the header is only put right
 * by a later mismatch or every 20 commits. MVStore's recovery mode scans the whole file for the newest complete chunk
 * instead; closing the store there writes a correct header and the clean-shutdown mark, and H2 then opens at it.
 * A cleanly closed file is not touched, nor is one another process holds.
 */
final class UncleanShutdown {
    private static final Logger LOG = LoggerFactory.getLogger(UncleanShutdown.class);

    /** What {@link #recover} did: H2's own recovery would have opened {@code headerVersion}; the file now opens at {@code newestVersion}. */
    record Recovered(long headerVersion, long newestVersion) {
    }

    private UncleanShutdown() {
    }

    /**
     * Points the store header of the H2 file {@code mvFile} at its newest complete commit when the last process did not
     * close it and the header names an older one. Empty when there was nothing to do (no file, a clean close, the header
     * right) or nothing could be done (the file is in use or cannot be read; H2 then reports that itself).
     */
    static Optional<Recovered> recover(Path mvFile) {
        if (!Files.isRegularFile(mvFile)) return Optional.empty();
        String name = mvFile.toString();
        try {
            long headerVersion;
            try (MVStore asH2Would = new MVStore.Builder().fileName(name).readOnly().open()) {
                if (asH2Would.getStoreHeader().containsKey("clean")) return Optional.empty();
                headerVersion = asH2Would.getCurrentVersion();
            }
            long newestVersion;
            try (MVStore scanned = new MVStore.Builder().fileName(name).readOnly().recoveryMode().open()) {
                newestVersion = scanned.getCurrentVersion();
            }
            if (newestVersion <= headerVersion) return Optional.empty();
            // opened at the newest complete chunk; a normal close writes the header naming it, with the clean mark
            new MVStore.Builder().fileName(name).recoveryMode().open().close();
            LOG.warn("{} was not closed cleanly: opened at its newest commit (version {}); H2 alone would have opened "
                    + "version {} and lost the commits after it", mvFile, newestVersion, headerVersion);
            return Optional.of(new Recovered(headerVersion, newestVersion));
        } catch (MVStoreException e) {
            // locked by another process, encrypted, or damaged: H2's own open reports it
            LOG.debug("no recovery pass over {}: {}", mvFile, e.toString());
            return Optional.empty();
        } catch (RuntimeException e) {
            // never stands in the way of H2's own open
            LOG.warn("recovery pass over {} failed; H2 opens it as it is: {}", mvFile, e.toString());
            return Optional.empty();
        }
    }
}
