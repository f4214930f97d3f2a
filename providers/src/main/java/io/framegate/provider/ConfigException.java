package io.framegate.provider;

import java.util.List;

/** {@code framegate.yaml} is wrong; every problem names its field, e.g. {@code routes.sora-2[0].model: ...}. */
public final class ConfigException extends RuntimeException {
    private final List<String> problems;

    public ConfigException(String source, List<String> problems) {
        super(source + ": " + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
