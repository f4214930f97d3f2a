package io.framegate.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;

import java.io.PrintStream;
import java.time.Instant;

/**
 * One JSON object per request and line: time, method, path, status, duration, client, key id, response size. No
 * secret is written: the {@code key} and {@code signature} parameters' values and anything that looks like an API key
 * anywhere in the path, query or user agent are {@code REDACTED}.
 */
public final class AccessLog {
    /** Surfaces put the authenticated key id here so the log can name it. */
    public static final String KEY_ATTRIBUTE = "framegate.key_id";

    private final PrintStream out;
    private final ObjectMapper json;

    public AccessLog(PrintStream out, ObjectMapper json) {
        this.out = out;
        this.json = json;
    }

    public void log(Context ctx, float millis) {
        if (out == null) return;
        ObjectNode line = json.createObjectNode();
        line.put("ts", Instant.now().toString());
        line.put("method", ctx.method().name());
        line.put("path", ApiKeyRedactor.redact(ctx.path()));
        if (ctx.queryString() != null) line.put("query", ApiKeyRedactor.redact(redactKey(ctx.queryString())));
        line.put("status", ctx.statusCode());
        line.put("ms", Math.round(millis * 10) / 10.0);
        line.put("remote", ctx.ip());
        Object requestId = ctx.attribute(HttpErrors.REQUEST_ID);
        if (requestId != null) line.put("request_id", requestId.toString());
        Object key = ctx.attribute(KEY_ATTRIBUTE);
        if (key != null) line.put("key_id", key.toString());
        long bytes = bytesSent(ctx);
        if (bytes >= 0) line.put("bytes", bytes);
        String ua = ctx.userAgent();
        if (ua != null) line.put("user_agent", ApiKeyRedactor.redact(ua)); // some clients put their key there
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }

    /**
     * The body bytes sent: Jetty's count of what the response wrote (a JSON answer has no Content-Length header of its
     * own by the time the line is written), else the Content-Length header; -1 when neither is known.
     */
    private static long bytesSent(Context ctx) {
        org.eclipse.jetty.server.Request base = org.eclipse.jetty.server.Request.getBaseRequest(ctx.req());
        if (base != null) return base.getResponse().getHttpOutput().getWritten();
        String length = ctx.res().getHeader("Content-Length");
        return length == null ? -1 : Long.parseLong(length);
    }

    /**
     * {@code ?key=} carries an API key (and {@code ?signature=} a signed URL's credential) (Gemini style): never write it to a log, however the name is spelled
     * ({@code %6Bey}, {@code KEY}, {@code ke%79}, repeated, with {@code ;} separators). A name that does not decode
     * cleanly is redacted too, and so is one still decoding after {@link ApiKeyRedactor#DECODING_PASSES} passes.
     */
    static String redactKey(String query) {
        StringBuilder out = new StringBuilder(query.length());
        int start = 0;
        while (start <= query.length()) {
            int end = start;
            while (end < query.length() && query.charAt(end) != '&' && query.charAt(end) != ';') end++;
            String pair = query.substring(start, end);
            int eq = pair.indexOf('=');
            String rawName = eq < 0 ? pair : pair.substring(0, eq);
            out.append(eq >= 0 && isKeyName(rawName) ? rawName + "=REDACTED" : pair);
            if (end < query.length()) out.append(query.charAt(end));
            start = end + 1;
        }
        return out.toString();
    }

    private static boolean isKeyName(String raw) {
        String name = raw;
        // decoded at most as often as ApiKeyRedactor decodes a part: a name that still decodes after that is taken
        // for a key's, never decoded level by level (a pass per level, on every request)
        for (int pass = 0; pass <= ApiKeyRedactor.DECODING_PASSES; pass++) {
            if (name.strip().equalsIgnoreCase("key") || name.strip().equalsIgnoreCase("signature")) return true;
            String decoded;
            try {
                decoded = java.net.URLDecoder.decode(name, java.nio.charset.StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return true;
            }
            if (decoded.equals(name)) return false;
            name = decoded;
        }
        return true;
    }
}
