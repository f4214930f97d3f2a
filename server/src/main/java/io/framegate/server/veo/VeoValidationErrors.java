package io.framegate.server.veo;

import io.framegate.domain.ValidationException;
import io.framegate.server.jobs.RouteRefusedException;
import io.framegate.domain.Violation;
import io.framegate.server.veo.GoogleApiException.FieldViolation;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites the domain's {@link ValidationException} in Veo terms: the field a Veo client actually sent
 * ({@code parameters.durationSeconds} rather than the domain's {@code seconds}) and messages that use the Veo
 * names. An unknown model is a 404, as Google answers it.
 */
public final class VeoValidationErrors {
    private static final Map<String, String> PARAM_NAMES = Map.of(
            "seconds", "durationSeconds",
            "num_frames", "durationSeconds",
            "aspect_ratio", "aspectRatio",
            "number_of_videos", "sampleCount",
            "audio", "generateAudio",
            "person_generation", "personGeneration",
            "negative_prompt", "negativePrompt");
    private static final Pattern NAME_IN_MESSAGE =
            Pattern.compile("\\b(seconds|num_frames|aspect_ratio|number_of_videos|audio|person_generation)=|\\bnegative_prompt\\b");

    private VeoValidationErrors() {
    }

    /**
     * The Google error for a validation failure of a request that came in as {@code veo}.
     *
     * @param e       the domain's exception
     * @param veo     the translated request (says e.g. whether the client wrote {@code sampleCount} or {@code numberOfVideos})
     * @param version the API version of the URL, for the not-found message ({@code v1beta}, {@code v1beta1}, ...)
     */
    public static GoogleApiException toGoogle(ValidationException e, VeoRequest veo, String version) {
        List<Violation> all = e.violations();
        // an unknown model is a 404; a known model whose route cannot serve the request is a 400
        if (!(e instanceof RouteRefusedException) && all.stream().anyMatch(v -> "model".equals(v.param()))) {
            Violation m = all.stream().filter(v -> "model".equals(v.param())).findFirst().orElseThrow();
            return GoogleApiException.notFound("models/" + m.value() + " is not found for API version " + version
                    + ", or is not supported for predictLongRunning. " + m.message());
        }
        return GoogleApiException.invalidArgument(all.stream()
                .map(v -> new FieldViolation(field(v, veo), rewrite(v.message(), veo)))
                .toList());
    }

    /** The Veo request field a domain violation is about. */
    static String field(Violation v, VeoRequest veo) {
        String value = v.value() == null ? "" : v.value();
        return switch (v.param()) {
            case "prompt" -> "instances[0].prompt";
            case "images" -> imageField(value);
            case "seconds", "num_frames" -> "parameters.durationSeconds";
            case "size", "resolution" -> "parameters.resolution";
            case "aspect_ratio" -> "parameters.aspectRatio";
            case "number_of_videos" -> "parameters." + veo.sampleCountField();
            case "seed" -> "parameters.seed";
            case "audio" -> "parameters.generateAudio";
            case "person_generation" -> "parameters.personGeneration";
            case "negative_prompt" -> "parameters.negativePrompt";
            case "fps" -> "parameters.fps";
            default -> v.param();
        };
    }

    private static String imageField(String value) {
        if (value.contains("last_frame")) return "instances[0].lastFrame";
        if (value.contains("asset") || value.contains("style")) return "instances[0].referenceImages";
        return "instances[0].image";
    }

    static String rewrite(String message, VeoRequest veo) {
        Matcher m = NAME_IN_MESSAGE.matcher(message);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement;
            if (m.group(1) == null) {
                replacement = PARAM_NAMES.get("negative_prompt");
            } else if ("number_of_videos".equals(m.group(1))) {
                replacement = veo.sampleCountField() + "=";
            } else {
                replacement = PARAM_NAMES.get(m.group(1)) + "=";
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString().replace("image role first_frame", "image (first frame)")
                .replace("image role last_frame", "lastFrame (last frame)")
                .replace("image role asset", "referenceImages (asset)")
                .replace("image role style", "referenceImages (style)");
    }
}
