package io.framegate.server;

import io.framegate.server.jobs.JobContent;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Streams a stored file with HTTP Range support (one range: {@code bytes=a-b}, {@code bytes=a-}, {@code bytes=-n}),
 * so browsers and players can seek. Several ranges at once are answered with the whole file (allowed by RFC 9110).
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
        ctx.header("Accept-Ranges", "bytes");
        ctx.header("Content-Disposition", "inline; filename=\"" + content.fileName() + "\"");
        ctx.contentType(content.mediaType());
        long start = 0;
        long end = size - 1;
        String range = ctx.header("Range");
        if (range != null) {
            Matcher m = SINGLE_RANGE.matcher(range);
            if (m.matches() && !(m.group(1).isEmpty() && m.group(2).isEmpty())) {
                try {
                    if (m.group(1).isEmpty()) {
                        long suffix = Long.parseLong(m.group(2));
                        start = Math.max(0, size - suffix);
                    } else {
                        start = Long.parseLong(m.group(1));
                        if (!m.group(2).isEmpty()) end = Math.min(end, Long.parseLong(m.group(2)));
                    }
                } catch (NumberFormatException e) {
                    start = size; // absurdly long numbers: unsatisfiable
                }
                if (start >= size || start > end || (m.group(1).isEmpty() && Long.parseLong(m.group(2)) == 0)) {
                    ctx.status(416);
                    ctx.header("Content-Range", "bytes */" + size);
                    ctx.result("");
                    return;
                }
                ctx.status(206);
                ctx.header("Content-Range", "bytes " + start + "-" + end + "/" + size);
            }
        }
        long length = end - start + 1;
        ctx.header("Content-Length", String.valueOf(length));
        InputStream in = content.object().openRange(start, length);
        ctx.result(in);
    }
}
