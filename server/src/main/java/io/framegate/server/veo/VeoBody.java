package io.framegate.server.veo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.framegate.server.JsonBodies;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;

import java.io.IOException;

/** A Veo request body read as JSON, each refusal in Google's shape: over the size limit, not JSON, a key given twice. */
final class VeoBody {
    private VeoBody() {
    }

    /**
     * The body's bytes; over {@code max} is a 400 {@code INVALID_ARGUMENT} naming the limit, as Google's API answers,
     * whether the declared length or the bytes read (a chunked body declares none) are over it.
     */
    static byte[] bytes(Context c, long max) {
        if (c.req().getContentLengthLong() > max) throw GoogleApiException.tooLarge(max);
        byte[] bytes;
        try {
            bytes = c.bodyAsBytes();
        } catch (HttpResponseException e) {
            if (e.getStatus() == 413) throw GoogleApiException.tooLarge(max);
            throw e;
        }
        if (bytes.length > max) throw GoogleApiException.tooLarge(max);
        return bytes;
    }

    /**
     * {@code bytes} as a JSON tree; what is not JSON is a 400 saying where it broke, and a key given twice in one
     * object a 400 naming it as a field (which of the two was meant is not ours to guess).
     */
    static JsonNode parse(ObjectMapper json, byte[] bytes) {
        try {
            return JsonBodies.readTree(json, bytes);
        } catch (JsonProcessingException e) {
            String twice = JsonBodies.duplicateKey(e).orElse(null);
            if (twice != null) {
                throw GoogleApiException.invalidArgument(twice, twice + " is given more than once in the JSON payload; "
                        + "send each field once.");
            }
            String range = JsonBodies.numberOutOfRange(e).orElse(null);
            if (range != null) {
                throw GoogleApiException.invalidArgument("Invalid JSON payload received: " + range
                        + " (its exponent is beyond what this server reads).");
            }
            throw GoogleApiException.invalidArgument("Invalid JSON payload received " + JsonBodies.problem(e));
        } catch (IOException e) {
            throw GoogleApiException.invalidArgument("Invalid JSON payload received: the body could not be read.");
        }
    }
}
