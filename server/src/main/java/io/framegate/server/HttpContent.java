package io.framegate.server;

import io.framegate.server.jobs.JobContent;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Streams a stored file with HTTP Range support (one range: {@code bytes=a-b}, {@code bytes=a-}, {@code bytes=-n}),
 * so browsers and players can seek. Several ranges at once are answered with the whole file (allowed by RFC 9110). A
 * range no byte satisfies is a {@link RangeNotSatisfiableException}: 416 in the surface's error shape.
 */
public final class HttpContent {
    private static final Pattern SINGLE_RANGE = Pattern.compile("\\s*bytes\\s*=\\s*(\\d*)\\s*-\\s*(\\d*)\\s*");

    private HttpContent() {
    }

    public static void send(Context ctx, JobContent content) throws IOException {
        var direct = content.object().downloadUrl();
        if (direct.isPresent()) { // storage.downloads: redirect; the URL is presigned and short-lived
            ctx.header("Cache-Control", "no-store");
            ctx.redirect(direct.get().toString(), io.javalin.http.HttpStatus.FOUND);
            return;
        }
        long size = content.object().size();
        long start = 0;
        long end = size - 1;
        boolean partial = false;
        String range = ctx.header("Range");
        if (range != null) {
            Matcher m = SINGLE_RANGE.matcher(range);
            if (m.matches() && !(m.group(1).isEmpty() && m.group(2).isEmpty())) {
                String refusal = null;
                if (m.group(1).isEmpty()) { // the last n bytes: more than the file is the whole file
                    long suffix = offset(m.group(2));
                    if (suffix == 0) refusal = "asks for the last 0 bytes";
                    start = Math.max(0, size - suffix);
                } else {
                    start = offset(m.group(1));
                    if (!m.group(2).isEmpty()) {
                        long last = offset(m.group(2));
                        if (last < start) refusal = "ends (at byte " + m.group(2) + ") before it starts (at byte "
                                + m.group(1) + ")";
                        end = Math.min(end, last);
                    }
                    if (refusal == null && start >= size) refusal = "starts at byte " + m.group(1) + ", past the last byte";
                }
                if (refusal != null) {
                    throw new RangeNotSatisfiableException("Range: " + range.strip() + " " + refusal + "; "
                            + content.fileName() + " is " + size + " bytes long (bytes 0 to " + (size - 1)
                            + "). Ask for a range that starts below " + size + ", or leave out the Range header for the "
                            + "whole file.", size);
                }
                partial = true;
            }
        }
        ctx.header("Accept-Ranges", "bytes");
        ctx.header("Content-Disposition", "inline; filename=\"" + content.fileName() + "\"");
        ctx.contentType(content.mediaType());
        if (partial) {
            ctx.status(206);
            ctx.header("Content-Range", "bytes " + start + "-" + end + "/" + size);
        }
        long length = end - start + 1;
        ctx.header("Content-Length", String.valueOf(length));
        InputStream in = content.object().openRange(start, length);
        ctx.result(in);
    }

    /** A byte offset of the header (digits only); one too long for a long is past any file. */
    private static long offset(String digits) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            return Long.MAX_VALUE;
        }
    }
}
