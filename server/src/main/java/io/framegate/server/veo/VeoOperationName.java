package io.framegate.server.veo;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The name of a long-running operation as each surface writes it:
 * Gemini {@code models/{model}/operations/{id}}, Vertex
 * {@code projects/{p}/locations/{l}/publishers/google/models/{model}/operations/{id}} and Vertex express mode
 * {@code publishers/google/models/{model}/operations/{id}}. The SDKs poll a Vertex operation at the name's part
 * before {@code /operations/} plus {@code :fetchPredictOperation}, so the model part must be a path the server
 * answers.
 *
 * @param dialect     which surface the name belongs to
 * @param project     Vertex project, null for Gemini and express mode
 * @param location    Vertex location, null for Gemini and express mode
 * @param model       the model as the client named it
 * @param operationId the operation's id ({@link VeoIds#operationId})
 */
public record VeoOperationName(VeoDialect dialect, String project, String location, String model, String operationId) {
    private static final String SEGMENT = "([^/]+)";
    private static final Pattern GEMINI = Pattern.compile("models/" + SEGMENT + "/operations/" + SEGMENT);
    private static final Pattern VERTEX = Pattern.compile(
            "(?:projects/" + SEGMENT + "/locations/" + SEGMENT + "/)?publishers/google/models/" + SEGMENT
                    + "/operations/" + SEGMENT);

    public static VeoOperationName gemini(String model, String operationId) {
        return new VeoOperationName(VeoDialect.GEMINI, null, null, model, operationId);
    }

    public static VeoOperationName vertex(String project, String location, String model, String operationId) {
        return new VeoOperationName(VeoDialect.VERTEX, project, location, model, operationId);
    }

    /** Parses a name in any of the three forms; empty when it is none of them. */
    public static Optional<VeoOperationName> parse(String name) {
        if (name == null) return Optional.empty();
        Matcher g = GEMINI.matcher(name);
        if (g.matches()) return Optional.of(gemini(g.group(1), g.group(2)));
        Matcher v = VERTEX.matcher(name);
        if (v.matches()) return Optional.of(vertex(v.group(1), v.group(2), v.group(3), v.group(4)));
        return Optional.empty();
    }

    /** Whether this is Vertex express mode (no project and location in the name). */
    public boolean express() {
        return dialect == VeoDialect.VERTEX && project == null;
    }

    @Override
    public String toString() {
        return switch (dialect) {
            case GEMINI -> "models/" + model + "/operations/" + operationId;
            case VERTEX -> (project == null ? "" : "projects/" + project + "/locations/" + location + "/")
                    + "publishers/google/models/" + model + "/operations/" + operationId;
        };
    }
}
