package io.framegate.server.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.framegate.server.JsonBodies;
import io.framegate.server.tenancy.AdminException;
import io.javalin.http.Context;
import io.javalin.http.Handler;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** What the account, key and usage handlers share: admin-token check, JSON bodies read exactly, errors in one shape. */
final class AdminJson {
    /** Dollar amounts sent as JSON numbers are read as exact decimals, never as doubles. */
    private static final ObjectMapper BODIES = JsonMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();

    private AdminJson() {
    }

    interface Action {
        void handle(Context ctx) throws Exception;
    }

    /** A handler that runs {@code action} for the admin token only and answers an {@link AdminException} as JSON. */
    static Handler guarded(Predicate<Context> authorized, Action action) {
        return ctx -> {
            if (!authorized.test(ctx)) return;
            try {
                action.handle(ctx);
            } catch (AdminException e) {
                error(ctx, e.status(), e.code(), e.getMessage(), e.param());
            }
        };
    }

    /** The request body as JSON ({@code {}} when empty); a key given twice in one object is refused, naming it. */
    static JsonNode body(Context ctx) {
        String text = ctx.body();
        if (text == null || text.isBlank()) return JsonNodeFactory.instance.objectNode();
        try {
            return JsonBodies.readTree(BODIES, text);
        } catch (JsonProcessingException e) {
            String twice = JsonBodies.duplicateKey(e).orElse(null);
            if (twice != null) {
                throw AdminException.invalid(twice, "the request body gives '" + twice + "' more than once; send each "
                        + "field once");
            }
            String range = JsonBodies.numberOutOfRange(e).orElse(null);
            if (range != null) {
                throw AdminException.invalid(null, "the request body is refused: " + range
                        + " (its exponent is beyond what this server reads)");
            }
            throw AdminException.invalid(null, "the request body is not valid JSON " + JsonBodies.problem(e));
        } catch (java.io.IOException e) {
            throw AdminException.invalid(null, "the request body could not be read");
        }
    }

    static void list(Context ctx, List<Map<String, Object>> data) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("object", "list");
        body.put("data", data);
        ctx.json(body);
    }

    static void error(Context ctx, int status, String code, String message, String param) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("message", message);
        e.put("type", status == 401 || status == 403 ? "authentication_error" : status >= 500 ? "server_error" : "invalid_request_error");
        e.put("param", param);
        e.put("code", code);
        ctx.status(status).json(Map.of("error", e));
    }
}
