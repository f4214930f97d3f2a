package io.framegate.provider;

import java.util.regex.Pattern;

/**
 * Which upstream job handles Framegate can use. A handle goes into the URLs of every later poll, download and cancel
 * (with the channel's credential), into the job's notes that clients see and into log lines; one that climbs out of its
 * path ({@code ../}), is a URL of its own or carries control characters is as useless as no handle at all, so the
 * submit that answered it is treated as unclear (never sent again; see {@link SubmitReconciler}).
 */
final class UpstreamHandles {
    /** Path segments of letters, digits and {@code _ . : -}, joined by single slashes; at most 512 characters. */
    private static final Pattern USABLE = Pattern.compile("[A-Za-z0-9_.:-]+(/[A-Za-z0-9_.:-]+)*");

    private UpstreamHandles() {
    }

    static boolean usable(String handle) {
        if (handle == null || handle.length() > 512 || !USABLE.matcher(handle).matches()) return false;
        for (String segment : handle.split("/")) if (segment.equals(".") || segment.equals("..")) return false;
        return true;
    }

    /** @throws UpstreamException TRANSIENT (an answer that cannot be used: the job may exist) when not usable */
    static String check(String handle, String what) throws UpstreamException {
        if (!usable(handle)) {
            throw new UpstreamException(UpstreamException.Kind.TRANSIENT, 200, null,
                    what + " answered with a job id Framegate cannot use");
        }
        return handle;
    }
}
