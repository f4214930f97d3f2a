package io.framegate.server.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import io.framegate.engine.ImageHeader;
import io.framegate.domain.ImageLimits;
import io.framegate.domain.ImageRole;
import io.framegate.domain.InputImage;
import io.framegate.server.Base64Text;
import io.framegate.server.intake.FetchException;
import io.framegate.server.intake.ImageFetcher;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads the images of a request in two steps: {@link #locate} checks the shape of each image field (an upload, a
 * {@code data:} URL, an http(s) URL) without fetching anything, so the count and every shape problem are known
 * first; {@link #load} then fetches and checks them within the request's byte budget and one deadline for all its
 * downloads. Every image is checked whole (format by its bytes, dimensions against the caps before any decode,
 * integrity), so a bomb or a truncated file is a 400 at create.
 */
final class ImageInputs {
    private final ImageLimits limits;
    private final long maxImageBytes;
    private final ImageFetcher fetcher;

    ImageInputs(ImageLimits limits, long maxImageBytes, ImageFetcher fetcher) {
        this.limits = limits;
        this.maxImageBytes = maxImageBytes;
        this.fetcher = fetcher;
    }

    ImageLimits limits() {
        return limits;
    }

    /** An image field, located but not yet read: bytes already at hand, or a URL to fetch. */
    record Located(String param, ImageRole role, byte[] bytes, String url, String label, String declaredType) {
    }

    /**
     * Where the image of {@code node} is: an upload, an object {@code {image_url}} / {@code {file_id}}, or a URL
     * string. A {@code data:} URL is decoded here (its bytes are in the request already).
     *
     * @param param the OpenAI field name for errors, e.g. {@code input_reference} or {@code frame_images[0]}
     * @throws OpenAiError the field has the wrong shape
     */
    Located locate(JsonNode node, String param, Set<String> extraKeys, ImageRole role) {
        if (node instanceof POJONode pojo && pojo.getPojo() instanceof FormTree.Upload up) return upload(up, param, role);
        if (node.isTextual()) return url(node.asText(), param, role);
        if (node instanceof ObjectNode obj) {
            for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!k.equals("image_url") && !k.equals("file_id") && !extraKeys.contains(k)) {
                    throw OpenAiError.unknownParameter(param + "." + k);
                }
            }
            JsonNode url = obj.get("image_url");
            JsonNode fileId = obj.get("file_id");
            if (url != null && fileId != null) {
                throw OpenAiError.invalid(param, "invalid_value", "Provide exactly one of " + param + ".image_url or "
                        + param + ".file_id, not both.");
            }
            if (fileId != null) {
                throw OpenAiError.invalid(param + ".file_id", "unsupported_value", param + ".file_id refers to OpenAI's "
                        + "Files API, which this server does not have. Send the image as a file upload or as "
                        + param + ".image_url (a data: URL or an http(s) URL).");
            }
            if (url != null) {
                if (url instanceof POJONode p && p.getPojo() instanceof FormTree.Upload up) return upload(up, param, role);
                if (!url.isTextual()) {
                    throw OpenAiError.invalid(param + ".image_url", "invalid_type", param + ".image_url must be a string.");
                }
                return url(url.asText(), param + ".image_url", role);
            }
            JsonNode file = obj.get("file");
            if (file instanceof POJONode p && p.getPojo() instanceof FormTree.Upload up) return upload(up, param, role);
        }
        throw OpenAiError.invalid(param, "invalid_type", param + " must be an image file upload or an object with "
                + "image_url (a data: URL or an http(s) URL).");
    }

    private static Located upload(FormTree.Upload up, String param, ImageRole role) {
        return new Located(param, role, up.bytes(), null, up.fileName() != null ? up.fileName() : param, up.contentType());
    }

    private Located url(String url, String param, ImageRole role) {
        String trimmed = url.trim();
        if (trimmed.regionMatches(true, 0, "data:", 0, 5)) return dataUrl(trimmed, param, role);
        String scheme = trimmed.contains(":") ? trimmed.substring(0, trimmed.indexOf(':')).toLowerCase(Locale.ROOT) : "";
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw OpenAiError.invalid(param, "invalid_url", param + " must be a data: URL or an http(s) URL; got '"
                    + abbreviate(trimmed) + "'.");
        }
        return new Located(param, role, null, trimmed, trimmed, null);
    }

    private Located dataUrl(String url, String param, ImageRole role) {
        int comma = url.indexOf(',');
        if (comma < 0) throw OpenAiError.invalid(param, "invalid_url", param + " is a data: URL without data.");
        String meta = url.substring(5, comma);
        if (!meta.toLowerCase(Locale.ROOT).endsWith(";base64")) {
            throw OpenAiError.invalid(param, "invalid_url", param + " must be a base64 data: URL (data:image/png;base64,...).");
        }
        byte[] bytes;
        try {
            bytes = Base64Text.decode(url.substring(comma + 1), false);
        } catch (Base64Text.Invalid e) {
            throw OpenAiError.invalid(param, "invalid_base64", param + " has invalid base64 data (counting from the "
                    + "character after 'base64,'): " + e.getMessage() + ".");
        }
        return new Located(param, role, bytes, null, "data URL", meta.substring(0, meta.length() - ";base64".length()));
    }

    /**
     * Fetches what must be fetched and checks every image, in order, within the request's byte budget; each problem
     * goes to {@code problems} and its image is left out.
     */
    List<InputImage> load(List<Located> located, Problems problems) {
        List<InputImage> out = new ArrayList<>();
        long budget = limits.maxRequestBytes();
        long deadline = System.nanoTime() + limits.fetchDeadline().toNanos();
        for (Located l : located) {
            long allowed = Math.min(maxImageBytes, budget);
            byte[] bytes = l.bytes();
            if (bytes == null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    problems.add(OpenAiError.invalid(l.param(), "image_url_timeout", l.param() + " was not downloaded: "
                            + "the " + limits.fetchDeadline().toMillis() + " ms allowed for this request's downloads ran out."));
                    continue;
                }
                try {
                    bytes = fetcher.fetch(l.url(), allowed, Duration.ofNanos(left));
                } catch (FetchException e) {
                    // a download over what is left is the same error as an upload over it: the request's budget
                    // or the per-image limit, whichever was the smaller
                    problems.add(e.kind() == FetchException.Kind.TOO_LARGE
                            ? tooLarge(l.param(), "(" + abbreviate(l.url()) + ") is over " + allowed + " bytes", overBudget(allowed, budget))
                            : fetchError(l, e));
                    continue;
                }
            }
            if (bytes.length > allowed) {
                problems.add(tooLarge(l.param(), "is " + bytes.length + " bytes", overBudget(allowed, budget)));
                continue;
            }
            budget -= bytes.length;
            try {
                ImageHeader h = ImageHeader.check(bytes, limits);
                out.add(new InputImage(l.role(), bytes, h.mimeType(), l.param() + ":" + l.label(), true));
            } catch (ImageHeader.InvalidImageException e) {
                problems.add(imageError(l, e, bytes.length));
            }
        }
        return out;
    }

    /** Whether an image over {@code allowed} bytes passed the request's budget rather than the per-image limit. */
    private boolean overBudget(long allowed, long budget) {
        return allowed == budget && budget < maxImageBytes;
    }

    private OpenAiError tooLarge(String param, String size, boolean budget) {
        return new OpenAiError(413, "invalid_request_error", param, budget ? "request_images_too_large" : "image_too_large",
                param + " " + size + "; " + (budget ? "the images of one request may hold at most "
                        + limits.maxRequestBytes() + " bytes together." : "an image may be at most " + maxImageBytes + " bytes."));
    }

    private static OpenAiError fetchError(Located l, FetchException e) {
        String code = switch (e.kind()) {
            case INVALID_URL, FORBIDDEN_ADDRESS -> "invalid_url";
            case TIMEOUT -> "image_url_timeout";
            case TOO_LARGE -> "image_too_large"; // answered by load() with the limit that applied
            case BUSY -> "image_url_busy";
            case UNREACHABLE -> "image_url_unreachable";
        };
        int status = e.kind() == FetchException.Kind.BUSY ? 503 : e.kind() == FetchException.Kind.TOO_LARGE ? 413 : 400;
        return new OpenAiError(status, status == 503 ? "server_error" : "invalid_request_error", l.param(), code,
                l.param() + " (" + abbreviate(l.url()) + ") " + e.getMessage() + ".");
    }

    private static OpenAiError imageError(Located l, ImageHeader.InvalidImageException e, int size) {
        String code = switch (e.kind()) {
            case NOT_AN_IMAGE -> "invalid_image_format";
            case TOO_LARGE -> "image_too_large";
            case CORRUPT -> "invalid_image";
        };
        String declared = l.declaredType() != null && !l.declaredType().isBlank() && e.kind() == ImageHeader.InvalidImageException.Kind.NOT_AN_IMAGE
                ? " (declared as " + l.declaredType() + ")" : "";
        return OpenAiError.invalid(l.param(), code, l.param() + " " + e.getMessage() + declared + ".");
    }

    static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
