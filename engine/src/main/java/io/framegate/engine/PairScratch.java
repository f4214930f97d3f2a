package io.framegate.engine;

/**
 * Each thread's arrays for what a pair's preparation needs only while it runs (the initial flows, the colours at the
 * splat grid), reused from pair to pair: new ones per pair (2.3 MB at 640x360) were fresh heap pages in a command,
 * whose young generation is not collected before it ends, and each first touch of a page is paid on this kind of
 * machine (a VM).
 */
final class PairScratch {
    static final int INIT_FLOW = 0, COLOURS_A = 1, COLOURS_B = 2;
    private static final ThreadLocal<float[][]> ARRAYS = ThreadLocal.withInitial(() -> new float[3][]);

    private PairScratch() {
    }

    /** The calling thread's array {@code slot} of exactly {@code length} floats (any content). */
    static float[] floats(int slot, int length) {
        float[][] all = ARRAYS.get();
        if (all[slot] == null || all[slot].length != length) all[slot] = new float[length];
        return all[slot];
    }
}
