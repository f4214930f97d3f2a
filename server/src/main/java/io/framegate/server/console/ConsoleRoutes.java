package io.framegate.server.console;

import io.framegate.server.config.StorageConfig;
import io.javalin.Javalin;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The web console: plain HTML, CSS and JavaScript modules kept as classpath resources under {@code /console/} and
 * served at {@code /} (no build step, no Node). Every console response carries a Content-Security-Policy that allows
 * scripts, styles and requests to this origin only (no inline script), plus the media host of presigned redirects when
 * {@code storage.downloads: redirect} sends videos there, and {@code Referrer-Policy: no-referrer} so a signed link is
 * never handed to another site.
 */
public final class ConsoleRoutes {
    static final String ROOT = "/console/";
    private static final Pattern FILE = Pattern.compile("[a-z][a-z0-9-]*\\.(html|js|css|svg)");
    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8", "svg", "image/svg+xml");

    private final String csp;

    public ConsoleRoutes(StorageConfig storage) {
        this.csp = csp(mediaHosts(storage));
    }

    public void register(Javalin app) {
        app.get("/", c -> send(c, "index.html"));
        app.get("/console/{file}", c -> send(c, c.pathParam("file")));
    }

    private void send(Context c, String name) throws IOException {
        if (!FILE.matcher(name).matches()) {
            c.status(404).contentType("text/plain").result("not found");
            return;
        }
        InputStream in = ConsoleRoutes.class.getResourceAsStream(ROOT + name);
        if (in == null) {
            c.status(404).contentType("text/plain").result("not found");
            return;
        }
        try (in) {
            securityHeaders(c);
            c.header("Cache-Control", "no-cache");
            c.contentType(TYPES.get(name.substring(name.lastIndexOf('.') + 1)));
            c.result(in.readAllBytes());
        }
    }

    private void securityHeaders(Context c) {
        c.header("Content-Security-Policy", csp);
        c.header("X-Content-Type-Options", "nosniff");
        c.header("Referrer-Policy", "no-referrer");
        c.header("X-Frame-Options", "DENY");
        c.header("Cross-Origin-Opener-Policy", "same-origin");
        c.header("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
    }

    static String csp(String mediaHosts) {
        String extra = mediaHosts.isEmpty() ? "" : " " + mediaHosts;
        return "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' blob: data:"
                + extra + "; media-src 'self' blob:" + extra + "; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    }

    /** Where presigned redirects send the browser: the bucket's endpoint (and its virtual-hosted buckets), or AWS. */
    static String mediaHosts(StorageConfig s) {
        if (s == null || !s.isS3() || !s.redirectDownloads()) return "";
        if (s.endpoint() == null || s.endpoint().isBlank()) return "https://*.amazonaws.com";
        URI u = URI.create(s.endpoint().strip());
        String origin = u.getScheme() + "://" + u.getRawAuthority();
        return s.pathStyle() ? origin : origin + " " + u.getScheme() + "://*." + u.getRawAuthority();
    }
}
