package io.framegate.cli;

import io.framegate.domain.ModelCatalog;
import io.framegate.engine.LocalEngine;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * Start-up work an engine command will need, begun on other threads at the very start of {@code main}, so that it
 * runs on the second core while picocli builds and parses the command line (about half a CPU-second on one thread):
 * the engine's natives (OpenCV, FFmpeg; about 0.5 CPU-s) and, for {@code generate}, the built-in model catalog
 * (JSON through Jackson; 0.2-0.4 CPU-s). Without {@link #start}, everything is done on first use as before; an error
 * of the background work reaches the command that uses it.
 */
final class Preload {
    private static volatile FutureTask<ModelCatalog> catalog;

    private Preload() {
    }

    /**
     * Begins what the command line's command (its first argument) will need, and says whether it began anything:
     * nothing for other commands, nor for {@code -h/--help} or {@code -V/--version}, which print and exit (loading for
     * them would only cost CPU).
     */
    static boolean start(String... args) {
        if (args.length == 0) return false;
        String command = args[0];
        if (!command.equals("generate") && !command.equals("interpolate")) return false;
        for (String a : args) {
            if (a.equals("-h") || a.equals("--help") || a.equals("-V") || a.equals("--version")) return false;
        }
        LocalEngine.preload();
        if (command.equals("generate")) {
            startCatalog(() -> {
                ModelCatalog c = ModelCatalog.builtIn();
                io.framegate.engine.StartupTrace.mark("catalog loaded");
                return c;
            });
        }
        return true;
    }

    /** Starts {@code load} on a daemon thread; {@link #catalog()} returns its result (tests give one that fails). */
    static Thread startCatalog(Callable<ModelCatalog> load) {
        FutureTask<ModelCatalog> task = new FutureTask<>(load);
        Thread t = new Thread(task, "framegate-catalog");
        t.setDaemon(true);
        catalog = task;
        t.start();
        return t;
    }

    /** Forgets a catalog begun by {@link #start} (tests). */
    static void reset() {
        catalog = null;
    }

    /** The built-in catalog: the one loading in the background if {@link #start} began it, else loaded now. */
    static ModelCatalog catalog() {
        FutureTask<ModelCatalog> task = catalog;
        if (task == null) return ModelCatalog.builtIn();
        try {
            return task.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ModelCatalog.builtIn();
        } catch (ExecutionException e) {
            // the same error the call on this thread would have thrown
            if (e.getCause() instanceof RuntimeException re) throw re;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        }
    }
}
