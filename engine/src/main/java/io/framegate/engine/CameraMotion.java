package io.framegate.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The camera move read from a prompt: each component is the total change over the clip at normal speed for a
 * clip of about four seconds. Components add up ("pan left and zoom in"). Without any keyword the move is a gentle
 * push-in toward the subject.
 *
 * @param zoom     log of the focal-length change (positive = zoom in)
 * @param yawDeg   camera rotation, positive = turn right (content moves left)
 * @param pitchDeg positive = tilt up (content moves down)
 * @param dolly    forward camera travel as a fraction of the background distance (positive = toward the scene)
 * @param orbitDeg arc around the subject, positive = camera moves right around it
 * @param truck    sideways camera travel for plain parallax, fraction of the background distance
 * @param still    no camera motion at all
 * @param description the words understood, e.g. {@code pan left + zoom in (slow)}
 */
public record CameraMotion(double zoom, double yawDeg, double pitchDeg, double dolly, double orbitDeg, double truck,
                           boolean still, String description) {

    static final double ZOOM = 0.22;
    static final double PUSH_IN = 0.12;
    static final double YAW = 8;
    static final double PITCH = 5;
    static final double DOLLY = 0.14;
    static final double ORBIT = 8;
    static final double TRUCK = 0.05;

    /** Whether the move needs the layered (foreground/background) 2.5D approximation. */
    public boolean layered() {
        return dolly != 0 || orbitDeg != 0 || truck != 0;
    }

    /** The same move scaled (speed words, clip length). */
    CameraMotion scaled(double factor) {
        return new CameraMotion(zoom * factor, yawDeg * factor, pitchDeg * factor, dolly * factor, orbitDeg * factor,
                truck * factor, still, description);
    }

    private static final Pattern WORD_SEP = Pattern.compile("[^a-z0-9]+");

    /** Reads the move from a prompt (null or blank: the default push-in). */
    public static CameraMotion fromPrompt(String prompt) {
        String text = " " + WORD_SEP.matcher(prompt == null ? "" : prompt.toLowerCase(Locale.ROOT)).replaceAll(" ") + " ";
        double speed = 1;
        String speedWord = "";
        if (find(text, "slow", "slowly", "gentle", "gently", "subtle", "subtly", "slight", "slightly", "calm")) {
            speed = 0.5;
            speedWord = "slow";
        } else if (find(text, "fast", "quick", "quickly", "rapid", "rapidly", "dramatic", "dramatically", "whip")) {
            speed = 2;
            speedWord = "fast";
        }
        if (find(text, "still", "static", "locked off", "locked down", "no camera movement", "no camera motion",
                "tripod", "motionless")) {
            return new CameraMotion(0, 0, 0, 0, 0, 0, true, "still");
        }
        double zoom = 0, yaw = 0, pitch = 0, dolly = 0, orbit = 0, truck = 0;
        List<String> words = new ArrayList<>();
        if (find(text, "zoom out", "zooms out", "zooming out", "zoom back")) {
            zoom = -ZOOM;
            words.add("zoom out");
        } else if (find(text, "zoom in", "zooms in", "zooming in", "zoom", "zooms", "zooming")) {
            zoom = ZOOM;
            words.add("zoom in");
        }
        if (find(text, "pull back", "pull out", "pulls back", "pulling back", "pulling out", "dolly out", "dolly back",
                "dollies out", "dolly away", "move away", "moves away", "track out", "tracking out")) {
            dolly = -DOLLY;
            words.add("dolly out");
        } else if (find(text, "dolly in", "dolly", "dollies in", "dolly forward", "dolly towards", "dolly toward",
                "track in", "tracking in", "fly through", "flying through", "fly into", "move forward", "moves forward",
                "moving forward")) {
            dolly = DOLLY;
            words.add("dolly in");
        } else if (zoom == 0 && find(text, "push in", "pushes in", "pushing in", "push toward", "push towards",
                "close up", "closer")) {
            zoom = ZOOM;
            words.add("push in");
        }
        if (find(text, "pan left", "pans left", "panning left", "pan to the left", "pans to the left")) {
            yaw = -YAW;
            words.add("pan left");
        } else if (find(text, "pan right", "pans right", "panning right", "pan to the right", "pans to the right",
                "pan", "pans", "panning", "panorama")) {
            yaw = YAW;
            words.add("pan right");
        }
        if (find(text, "tilt up", "tilts up", "tilting up", "tilt upward", "tilt upwards", "crane up", "pedestal up")) {
            pitch = PITCH;
            words.add("tilt up");
        } else if (find(text, "tilt down", "tilts down", "tilting down", "tilt downward", "tilt downwards", "tilt",
                "crane down", "pedestal down")) {
            pitch = -PITCH;
            words.add("tilt down");
        }
        if (find(text, "orbit left", "orbits left", "orbiting left", "counterclockwise", "counter clockwise",
                "anticlockwise", "arc left")) {
            orbit = -ORBIT;
            words.add("orbit left");
        } else if (find(text, "orbit", "orbits", "orbiting", "orbit right", "arc shot", "arc right", "circle around",
                "circles around", "clockwise", "360", "revolve", "revolves", "around the subject")) {
            orbit = ORBIT;
            words.add("orbit right");
        }
        if (orbit == 0 && find(text, "parallax", "truck", "trucking", "tracking shot", "sideways", "slide", "sliding",
                "lateral")) {
            truck = find(text, "truck left", "slide left", "sliding left", "move left", "moves left") ? -TRUCK : TRUCK;
            words.add(truck < 0 ? "parallax left" : "parallax right");
        }
        if (words.isEmpty()) {
            zoom = PUSH_IN;
            words.add("push in (default)");
        }
        String desc = String.join(" + ", words) + (speedWord.isEmpty() ? "" : " (" + speedWord + ")");
        return new CameraMotion(zoom, yaw, pitch, dolly, orbit, truck, false, desc).scaled(speed);
    }

    private static boolean find(String text, String... phrases) {
        for (String p : phrases) {
            Matcher m = Pattern.compile(" " + Pattern.quote(p) + " ").matcher(text);
            if (m.find()) return true;
        }
        return false;
    }
}
