package io.framegate.server.veo;

import com.fasterxml.jackson.databind.JsonNode;
import io.framegate.server.ApiSurface;
import io.framegate.server.ServerContext;
import io.framegate.server.auth.ApiKey;
import io.javalin.Javalin;
import io.javalin.http.Context;

import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Vertex AI (Agent Platform) shape of Veo, under {@code /v1} and {@code /v1beta1}, with and without the
 * {@code projects/{p}/locations/{l}/} prefix (express mode):
 * {@code POST publishers/google/models/{m}:predictLongRunning}, {@code POST ...:fetchPredictOperation}
 * ({@code {"operationName": ...}}) and {@code GET} of an operation name. Key as {@code Authorization: Bearer} or
 * {@code x-goog-api-key}.
 */
public final class VertexSurface implements ApiSurface {
    static final String[] VERSIONS = {"v1", "v1beta1"};
    private static final Pattern METHOD = Pattern.compile(
            "(?:projects/([^/]+)/locations/([^/]+)/)?publishers/google/models/([^/:]+):(predictLongRunning|fetchPredictOperation)");

    @Override
    public String name() {
        return "vertex";
    }

    @Override
    public void register(Javalin app, ServerContext ctx) {
        VeoHttp http = new VeoHttp(ctx);
        for (String prefix : new String[] {"/v1beta1/*", "/v1/projects/*", "/v1/publishers/*"}) app.before(prefix, VeoHttp::claim);
        for (String version : VERSIONS) {
            for (String prefix : new String[] {"projects", "publishers"}) {
                String route = "/" + version + "/" + prefix + "/<rest>";
                app.post(route, http.guarded(c -> post(c, http, ctx, version, prefix + "/" + c.pathParam("rest"))));
                app.get(route, http.guarded(c -> {
                    ApiKey key = http.vertexKey(c);
                    VeoOperationName name = VeoOperationName.parse(prefix + "/" + c.pathParam("rest"))
                            .filter(n -> n.dialect() == VeoDialect.VERTEX)
                            .orElseThrow(() -> GeminiSurface.notFound(c.path()));
                    http.json(c, http.operation(c, key, name, version));
                }));
            }
        }
    }

    private static void post(Context c, VeoHttp http, ServerContext ctx, String version, String path) throws IOException {
        ApiKey key = http.vertexKey(c);
        Matcher m = METHOD.matcher(path);
        if (!m.matches()) throw GeminiSurface.notFound(c.path());
        String project = m.group(1);
        String location = m.group(2);
        String model = m.group(3);
        if (m.group(4).equals("predictLongRunning")) {
            http.json(c, http.create(c, key, VeoDialect.VERTEX, model, version,
                    id -> VeoOperationName.vertex(project, location, model, id)));
            return;
        }
        JsonNode body = VeoBody.parse(ctx.json(), VeoBody.bytes(c, ctx.options().maxUploadBytes()));
        if (body == null || !body.isObject()) {
            throw GoogleApiException.invalidArgument("The request body must be a JSON object {\"operationName\": ...}.");
        }
        JsonNode opName = body.get("operationName");
        if (opName == null || !opName.isTextual()) {
            throw GoogleApiException.invalidArgument("operationName", "operationName is required: the name returned "
                    + "by predictLongRunning");
        }
        body.fieldNames().forEachRemaining(f -> {
            if (!f.equals("operationName")) {
                throw GoogleApiException.invalidArgument(f, "unknown field " + f + "; known fields here: operationName");
            }
        });
        VeoOperationName name = VeoOperationName.parse(opName.asText())
                .filter(n -> n.dialect() == VeoDialect.VERTEX)
                .orElseThrow(() -> GoogleApiException.invalidArgument("operationName", "operationName="
                        + opName.asText() + " is not a Vertex operation name "
                        + "(projects/P/locations/L/publishers/google/models/M/operations/ID)"));
        if (!name.model().equals(model)) {
            throw GoogleApiException.notFound("Operation " + name + " not found under publishers/google/models/"
                    + model + ".");
        }
        http.json(c, http.operation(c, key, name, version));
    }
}
