package io.framegate.server.veo;

import io.framegate.server.ApiSurface;
import io.framegate.server.ServerContext;
import io.framegate.server.auth.ApiKey;
import io.javalin.Javalin;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Gemini API ("mldev") shape of Veo, under {@code /v1beta} and {@code /v1}:
 * {@code POST models/{model}:predictLongRunning}, {@code GET models/{model}/operations/{id}} and
 * {@code GET files/{id}:download?alt=media}. Key as {@code x-goog-api-key} or {@code ?key=}.
 */
public final class GeminiSurface implements ApiSurface {
    static final String[] VERSIONS = {"v1beta", "v1"};
    private static final Pattern CREATE = Pattern.compile("([^/:]+):predictLongRunning");
    private static final Pattern DOWNLOAD = Pattern.compile("([a-z0-9]+):download");

    @Override
    public String name() {
        return "gemini";
    }

    @Override
    public void register(Javalin app, ServerContext ctx) {
        VeoHttp http = new VeoHttp(ctx);
        app.before("/v1beta/*", VeoHttp::claim);
        for (String version : VERSIONS) {
            // One wildcard per prefix: the method suffix (":predictLongRunning") sits inside a path segment.
            app.post("/" + version + "/models/<rest>", http.guarded(c -> {
                ApiKey key = http.geminiKey(c);
                Matcher m = CREATE.matcher(c.pathParam("rest"));
                if (!m.matches()) throw notFound(c.path());
                String model = m.group(1);
                http.json(c, http.create(c, key, VeoDialect.GEMINI, model, version,
                        id -> VeoOperationName.gemini(model, id)));
            }));
            app.get("/" + version + "/models/<rest>", http.guarded(c -> {
                ApiKey key = http.geminiKey(c);
                VeoOperationName name = VeoOperationName.parse("models/" + c.pathParam("rest"))
                        .filter(n -> n.dialect() == VeoDialect.GEMINI)
                        .orElseThrow(() -> notFound(c.path()));
                http.json(c, http.operation(c, key, name, version));
            }));
            app.get("/" + version + "/files/<rest>", http.guarded(c -> {
                ApiKey key = http.anyKey(c);
                Matcher m = DOWNLOAD.matcher(c.pathParam("rest"));
                if (!m.matches()) throw notFound(c.path());
                http.download(c, key, m.group(1));
            }));
        }
    }

    static GoogleApiException notFound(String path) {
        return GoogleApiException.notFound("The requested URL " + path + " was not found on this server.");
    }
}
