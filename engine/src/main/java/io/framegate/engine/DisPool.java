package io.framegate.engine;

import org.opencv.video.DISOpticalFlow;

import java.util.HashMap;
import java.util.Map;

/**
 * One DIS optical-flow object per thread and setting, reused: a fresh object per call ran every call in fresh native
 * buffers (freed only by finalisers after a GC: page faults, 2 GB resident at 640x360), and one shared object needed
 * a lock that serialised the largest step. DIS is parallel inside, so two threads' calls share the cores.
 */
final class DisPool {
    private static final ThreadLocal<Map<String, DISOpticalFlow>> POOL = ThreadLocal.withInitial(HashMap::new);

    private DisPool() {
    }

    /**
     * The calling thread's DIS for {@code preset}, working down to pyramid level 0 (where its finest level would be
     * skipped, the caller halves the images instead: {@link PairFlows#workingImages}).
     */
    static DISOpticalFlow get(KeyframeInterpolator.Preset preset) {
        return POOL.get().computeIfAbsent(preset.name(), k -> make(preset));
    }

    private static DISOpticalFlow make(KeyframeInterpolator.Preset preset) {
        DISOpticalFlow dis = DISOpticalFlow.create(preset != KeyframeInterpolator.Preset.FAST
                ? DISOpticalFlow.PRESET_MEDIUM : DISOpticalFlow.PRESET_FAST);
        if (preset != KeyframeInterpolator.Preset.FAST) {
            boolean sequence = preset == KeyframeInterpolator.Preset.SEQUENCE;
            dis.setFinestScale(0);
            dis.setPatchStride(sequence ? 4 : 3);
            dis.setGradientDescentIterations(sequence ? 20 : 40);
            // keyframe pairs: 20 refinement iterations (10 before) - on the tuning half's one-second orbit gap, where
            // parallax and occlusions are large, +0.96 dB (21.90 -> 22.86, SSIM 0.720 -> 0.739); the other tuning
            // gaps within 0.03 dB (issue 13)
            dis.setVariationalRefinementIterations(sequence ? 5 : 20);
        }
        return dis;
    }
}
