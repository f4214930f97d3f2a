package io.framegate.server.veo;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps Framegate job ids to the ids the Google surfaces show. Both must be lowercase letters and digits only: the
 * SDKs find a file id in a download URI as the first run of {@code [a-z0-9]+} after {@code files/}. A job id
 * {@code video_<hex>} (what the job service makes) shows as its hex part; any other job id as {@code z} plus the
 * lowercase hex of its UTF-8 bytes ({@code z} is no hex digit, so the two forms never collide). A file id appends
 * {@code x} (no hex digit either) and the video's index.
 */
public final class VeoIds {
    private static final HexFormat HEX = HexFormat.of();
    private static final String JOB_PREFIX = "video_";
    private static final Pattern PLAIN_JOB = Pattern.compile("video_([0-9a-f]+)");
    private static final Pattern OPERATION_ID = Pattern.compile("[0-9a-f]+|z(?:[0-9a-f]{2})+");
    private static final Pattern FILE_ID = Pattern.compile("([0-9a-f]+|z(?:[0-9a-f]{2})+)x(\\d{1,4})");

    private VeoIds() {
    }

    /** A video of a job: which job, which of its videos. */
    public record FileRef(String jobId, int index) { }

    public static String operationId(String jobId) {
        Matcher plain = PLAIN_JOB.matcher(jobId);
        if (plain.matches()) return plain.group(1);
        return "z" + HEX.formatHex(jobId.getBytes(StandardCharsets.UTF_8));
    }

    public static Optional<String> jobIdOfOperation(String operationId) {
        if (operationId == null || !OPERATION_ID.matcher(operationId).matches()) return Optional.empty();
        if (operationId.startsWith("z")) {
            return Optional.of(new String(HEX.parseHex(operationId.substring(1)), StandardCharsets.UTF_8));
        }
        return Optional.of(JOB_PREFIX + operationId);
    }

    public static String fileId(String jobId, int index) {
        return operationId(jobId) + "x" + index;
    }

    public static Optional<FileRef> parseFileId(String fileId) {
        if (fileId == null) return Optional.empty();
        Matcher m = FILE_ID.matcher(fileId);
        if (!m.matches()) return Optional.empty();
        return jobIdOfOperation(m.group(1)).map(job -> new FileRef(job, Integer.parseInt(m.group(2))));
    }
}
