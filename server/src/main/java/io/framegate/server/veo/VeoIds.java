package io.framegate.server.veo;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps Framegate job ids to the ids the Google surfaces show. Both must be lowercase letters and digits only: the
 * SDKs find a file id in a download URI as the first run of {@code [a-z0-9]+} after {@code files/}. Lowercase hex of
 * the job id keeps every job id reversible whatever characters it uses; a file id appends {@code x} (never a hex
 * digit) and the video's index.
 */
public final class VeoIds {
    private static final HexFormat HEX = HexFormat.of();
    private static final Pattern OPERATION_ID = Pattern.compile("(?:[0-9a-f]{2})+");
    private static final Pattern FILE_ID = Pattern.compile("((?:[0-9a-f]{2})+)x(\\d{1,4})");

    private VeoIds() {
    }

    /** A video of a job: which job, which of its videos. */
    public record FileRef(String jobId, int index) { }

    public static String operationId(String jobId) {
        return HEX.formatHex(jobId.getBytes(StandardCharsets.UTF_8));
    }

    public static Optional<String> jobIdOfOperation(String operationId) {
        if (operationId == null || !OPERATION_ID.matcher(operationId).matches()) return Optional.empty();
        return Optional.of(new String(HEX.parseHex(operationId), StandardCharsets.UTF_8));
    }

    public static String fileId(String jobId, int index) {
        return operationId(jobId) + "x" + index;
    }

    public static Optional<FileRef> parseFileId(String fileId) {
        if (fileId == null) return Optional.empty();
        Matcher m = FILE_ID.matcher(fileId);
        if (!m.matches()) return Optional.empty();
        return Optional.of(new FileRef(new String(HEX.parseHex(m.group(1)), StandardCharsets.UTF_8),
                Integer.parseInt(m.group(2))));
    }
}
