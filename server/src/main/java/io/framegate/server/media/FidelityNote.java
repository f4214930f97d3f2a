package io.framegate.server.media;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.framegate.engine.KeyframeFidelity;
import io.framegate.server.jobs.Job;

import java.util.Locale;

/**
 * A job's keyframe fidelity as the job note {@value #NOTE} (a JSON object) and as the surfaces show it:
 * {@code {"first_frame": {"psnr", "ssim"}, "last_frame": {...}, "honoured": bool}} (an end the request gave no
 * keyframe for is left out). PSNR in dB, capped at {@value #PSNR_CAP} (identical frames), 2 decimals; SSIM 4 decimals.
 */
public final class FidelityNote {
    public static final String NOTE = "fidelity";
    static final double PSNR_CAP = 100;
    private static final ObjectMapper JSON = new ObjectMapper();

    private FidelityNote() {
    }

    /** The note's text. */
    public static String encode(KeyframeFidelity.Result r) {
        StringBuilder sb = new StringBuilder("{");
        if (r.firstFrame() != null) sb.append("\"first_frame\":").append(score(r.firstFrame())).append(',');
        if (r.lastFrame() != null) sb.append("\"last_frame\":").append(score(r.lastFrame())).append(',');
        return sb.append("\"honoured\":").append(r.honoured()).append('}').toString();
    }

    private static String score(KeyframeFidelity.Score s) {
        return String.format(Locale.ROOT, "{\"psnr\":%.2f,\"ssim\":%.4f}", Math.min(PSNR_CAP, s.psnr()), s.ssim());
    }

    /** Puts {@code fidelity} on a surface's {@code framegate} object when the job has the note; nothing otherwise. */
    public static void attach(ObjectNode framegate, Job job) {
        String note = job.notes().get(NOTE);
        if (note == null) return;
        try {
            JsonNode n = JSON.readTree(note);
            if (n != null && n.isObject()) framegate.set("fidelity", n);
        } catch (java.io.IOException e) {
            // a note this class did not write: show nothing rather than something wrong
        }
    }
}
