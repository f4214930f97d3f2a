package io.framegate.server.openai;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** Gathers every problem of a request so that one error names them all (the first one's field, status and code). */
final class Problems {
    private final List<OpenAiError> list = new ArrayList<>();

    void add(OpenAiError e) {
        list.add(e);
    }

    /** Runs a check; its error is recorded instead of thrown. */
    void check(Runnable check) {
        try {
            check.run();
        } catch (OpenAiError e) {
            list.add(e);
        }
    }

    /** A value read by {@code read}, or null (and its error recorded) when it is wrong. */
    <T> T get(Supplier<T> read) {
        try {
            return read.get();
        } catch (OpenAiError e) {
            list.add(e);
            return null;
        }
    }

    boolean isEmpty() {
        return list.isEmpty();
    }

    void throwIfAny() {
        if (list.isEmpty()) return;
        if (list.size() == 1) throw list.get(0);
        OpenAiError first = list.get(0);
        throw new OpenAiError(first.status, first.type, first.param, first.code,
                list.stream().map(Throwable::getMessage).collect(Collectors.joining(" ")));
    }
}
