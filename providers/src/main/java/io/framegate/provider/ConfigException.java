package io.framegate.provider;

import java.util.List;

/** {@code framegate.yaml} is wrong; every problem names its field, e.g. {@code routes.sora-2[0].model: ...}. */
public final class ConfigException extends RuntimeException {
    private final String source;
    private final List<String> problems;

    public ConfigException(String source, List<String> problems) {
        super(source + ": " + String.join("; ", problems));
        this.source = source;
        this.problems = List.copyOf(problems);
    }

    /** The file (or text) that was read. */
    public String source() {
        return source;
    }

    public List<String> problems() {
        return problems;
    }
}
