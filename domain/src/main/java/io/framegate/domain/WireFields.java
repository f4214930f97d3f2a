package io.framegate.domain;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How one provider-hosted model spells a request (catalog data: field names change per model even inside one
 * provider). Keys are Framegate's names: {@code prompt}, {@code negative_prompt}, {@code seed}, {@code seconds},
 * {@code fps}, {@code resolution}, {@code aspect_ratio}, {@code size}, {@code audio}, {@code number_of_videos}, and the
 * image roles ({@code first_frame}, {@code last_frame}, {@code reference}, {@code asset}, {@code style}).
 *
 * @param fields    Framegate name -> the model's input field; a parameter not named here is not sent
 * @param formats   how a value is written: {@code "{}s"} (a template, the value as text in place of {@code {}}),
 *                  {@code string} (a number as text), {@code list} (images of a role as an array); default: as is
 * @param constants input fields always sent with these values (e.g. {@code mode: pro})
 * @param images    image forms the model accepts: {@code data_uri}, {@code url} (default: both)
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record WireFields(Map<String, String> fields, Map<String, String> formats, Map<String, Object> constants,
                         List<String> images) {
    public WireFields {
        fields = fields == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        formats = formats == null ? Map.of() : Map.copyOf(formats);
        constants = constants == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(constants));
        images = images == null ? List.of("data_uri", "url") : List.copyOf(images);
    }

    /** The model's field for a Framegate name, or null when the model takes no such input. */
    public String field(String name) {
        return fields.get(name);
    }

    /** The model's field for an image role, or null when the model takes no such role. */
    public String field(ImageRole role) {
        return fields.get(role.wireName());
    }

    public boolean acceptsDataUri() {
        return images.contains("data_uri");
    }

    public boolean acceptsUrl() {
        return images.contains("url");
    }

    /**
     * A number as the model wants it: as is, as text, or through a template such as {@code "{}s"} (giving
     * {@code "6s"}).
     */
    public Object format(String name, Object value) {
        String f = formats.get(name);
        if (f == null || value == null) return value;
        if ("string".equals(f)) return String.valueOf(value);
        if (f.contains("{}")) return f.replace("{}", String.valueOf(value));
        return value;
    }
}
