package io.framegate.cli;

import io.framegate.domain.ProgressListener;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Shows progress: a redrawn bar on a terminal, plain lines (one per 10 %) when output goes to a file or pipe, so
 * logs stay readable.
 */
final class ProgressBar implements ProgressListener {
    private static final int WIDTH = 30;
    private final PrintWriter out;
    private final boolean terminal;
    private final long startNanos = System.nanoTime();
    private int lastPercent = -1;
    private String lastStage = "";

    ProgressBar(PrintWriter out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    @Override
    public synchronized void onProgress(String stage, long done, long total) {
        int percent = total <= 0 ? 0 : (int) Math.min(100, done * 100 / total);
        if (terminal) {
            if (percent == lastPercent && stage.equals(lastStage)) return;
            int filled = percent * WIDTH / 100;
            out.printf(Locale.ROOT, "\r[%s%s] %3d%%  %-10s %d/%d  %.1fs\u001b[K", "#".repeat(filled), ".".repeat(WIDTH - filled),
                    percent, stage, done, total, elapsedSeconds());
            out.flush();
        } else if (percent / 10 != lastPercent / 10 || !stage.equals(lastStage)) {
            out.printf(Locale.ROOT, "progress %3d%% %s %d/%d (%.1fs)%n", percent, stage, done, total, elapsedSeconds());
            out.flush();
        }
        lastPercent = percent;
        lastStage = stage;
    }

    /** Ends the bar's line on a terminal. */
    synchronized void finish() {
        if (terminal && lastPercent >= 0) {
            out.println();
            out.flush();
        }
    }

    private double elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
