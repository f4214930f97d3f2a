package io.framegate.server.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;

/**
 * Reads the images of a request: uploaded file parts, {@code data:} URLs and http(s) URLs (fetched with a size
 * limit; hosts on private or loopback addresses are refused unless allowed). Only PNG, JPEG and WebP are accepted,
 * judged by the bytes, not by the declared type.
 */
final class ImageInputs {
    private final long maxBytes;
    private final boolean allowPrivateHosts;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    ImageInputs(long maxBytes, boolean allowPrivateHosts) {
        this.maxBytes = maxBytes;
        this.allowPrivateHosts = allowPrivateHosts;
    }

    /** A decoded image with its sniffed type. */
    record Image(byte[] bytes, String mimeType, String source) {
    }

    /**
     * An image given as an upload, an object {@code {image_url}} / {@code {file_id}}, or a URL string.
     *
     * @param param the OpenAI field name for errors, e.g. {@code input_reference} or {@code frame_images[0]}
     */
    Image read(JsonNode node, String param, Set<String> extraKeys) {
        if (node instanceof POJONode pojo && pojo.getPojo() instanceof FormTree.Upload up) {
            return checked(up.bytes(), param, up.fileName() != null ? up.fileName() : param, up.contentType());
        }
        if (node.isTextual()) return fromUrl(node.asText(), param);
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
                if (url instanceof POJONode p && p.getPojo() instanceof FormTree.Upload up) {
                    return checked(up.bytes(), param, up.fileName() != null ? up.fileName() : param, up.contentType());
                }
                if (!url.isTextual()) {
                    throw OpenAiError.invalid(param + ".image_url", "invalid_type", param + ".image_url must be a string.");
                }
                return fromUrl(url.asText(), param + ".image_url");
            }
            JsonNode file = obj.get("file");
            if (file instanceof POJONode p && p.getPojo() instanceof FormTree.Upload up) {
                return checked(up.bytes(), param, up.fileName() != null ? up.fileName() : param, up.contentType());
            }
        }
        throw OpenAiError.invalid(param, "invalid_type", param + " must be an image file upload or an object with "
                + "image_url (a data: URL or an http(s) URL).");
    }

    private Image fromUrl(String url, String param) {
        String trimmed = url.trim();
        if (trimmed.regionMatches(true, 0, "data:", 0, 5)) return fromDataUrl(trimmed, param);
        URI uri;
        try {
            uri = new URI(trimmed);
        } catch (URISyntaxException e) {
            throw OpenAiError.invalid(param, "invalid_url", param + " is not a valid URL: " + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw OpenAiError.invalid(param, "invalid_url", param + " must be a data: URL or an http(s) URL; got '"
                    + abbreviate(trimmed) + "'.");
        }
        checkHost(uri.getHost(), param);
        try {
            HttpResponse<InputStream> resp = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                    .header("Accept", "image/png, image/jpeg, image/webp").GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = resp.body()) {
                if (resp.statusCode() != 200) {
                    throw OpenAiError.invalid(param, "image_url_unreachable", "Fetching " + param + " (" + abbreviate(trimmed)
                            + ") answered HTTP " + resp.statusCode() + "; the image must be directly downloadable.");
                }
                byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
                if (bytes.length > maxBytes) throw OpenAiError.tooLarge(maxBytes);
                return checked(bytes, param, trimmed, resp.headers().firstValue("Content-Type").orElse(null));
            }
        } catch (IOException e) {
            throw OpenAiError.invalid(param, "image_url_unreachable", "Could not download " + param + " ("
                    + abbreviate(trimmed) + "): " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw OpenAiError.invalid(param, "image_url_unreachable", "Downloading " + param + " was interrupted.");
        }
    }

    private void checkHost(String host, String param) {
        if (allowPrivateHosts) return;
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) {
                if (a.isLoopbackAddress() || a.isSiteLocalAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress()
                        || a.isMulticastAddress() || (a.getAddress().length == 16 && (a.getAddress()[0] & 0xfe) == 0xfc)) {
                    throw OpenAiError.invalid(param, "invalid_url", param + " points to a private or local address ("
                            + host + "); this server only downloads images from public hosts. Send the image as a "
                            + "file upload or a data: URL instead.");
                }
            }
        } catch (UnknownHostException e) {
            throw OpenAiError.invalid(param, "image_url_unreachable", param + ": unknown host " + host + ".");
        }
    }

    private Image fromDataUrl(String url, String param) {
        int comma = url.indexOf(',');
        if (comma < 0) throw OpenAiError.invalid(param, "invalid_url", param + " is a data: URL without data.");
        String meta = url.substring(5, comma);
        if (!meta.toLowerCase(Locale.ROOT).endsWith(";base64")) {
            throw OpenAiError.invalid(param, "invalid_url", param + " must be a base64 data: URL (data:image/png;base64,...).");
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(url.substring(comma + 1).replaceAll("\\s", ""));
        } catch (IllegalArgumentException e) {
            throw OpenAiError.invalid(param, "invalid_base64", param + " has invalid base64 data: " + e.getMessage());
        }
        if (bytes.length > maxBytes) throw OpenAiError.tooLarge(maxBytes);
        return checked(bytes, param, "data URL", meta.substring(0, meta.length() - ";base64".length()));
    }

    private static Image checked(byte[] bytes, String param, String source, String declaredType) {
        String mime = sniff(bytes);
        if (mime == null) {
            throw OpenAiError.invalid(param, "invalid_image_format", param + " is not a PNG, JPEG or WebP image"
                    + (declaredType != null && !declaredType.isBlank() ? " (declared as " + declaredType + ")" : "")
                    + "; " + bytes.length + " bytes received.");
        }
        return new Image(bytes, mime, source);
    }

    /** PNG, JPEG or WebP by their magic numbers; null for anything else. */
    static String sniff(byte[] b) {
        if (b.length >= 8 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') return "image/png";
        if (b.length >= 3 && (b[0] & 0xff) == 0xFF && (b[1] & 0xff) == 0xD8 && (b[2] & 0xff) == 0xFF) return "image/jpeg";
        if (b.length >= 12 && b[0] == 'R' && b[1] == 'I' && b[2] == 'F' && b[3] == 'F'
                && b[8] == 'W' && b[9] == 'E' && b[10] == 'B' && b[11] == 'P') return "image/webp";
        return null;
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
