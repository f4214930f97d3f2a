package io.framegate.provider.minimax;

import io.framegate.provider.Poll;
import io.framegate.provider.UpstreamException;

/**
 * MiniMax's {@code base_resp.status_code} (platform.minimax.io errorcode.md) in Framegate's classes. The code is a
 * number, safe to show; {@code status_msg} is upstream text and only kept as a finished job's failure reason.
 */
final class MiniMaxErrors {
    /** Input (prompt or image) or output flagged as sensitive. */
    static final int INPUT_SENSITIVE = 1026;
    static final int OUTPUT_SENSITIVE = 1027;

    private MiniMaxErrors() {
    }

    /**
     * A call MiniMax answered with an error code. 1002 (rate limit) and 1004/1008 (credential, balance) are provable
     * refusals like HTTP 429 and 401; 1026/1027/2013 and other 2xxx codes refuse the request itself; 1000, 1001 and
     * 1024 (unknown, timeout, internal) say nothing about whether a task was made, so a submit failing so is ambiguous.
     */
    static UpstreamException of(MiniMaxWire.BaseResp r, String what) {
        int code = r.statusCode();
        UpstreamException.Kind kind;
        String meaning;
        switch (code) {
            case 1002 -> {
                kind = UpstreamException.Kind.RATE_LIMITED;
                meaning = "rate limit";
            }
            case 1004 -> {
                kind = UpstreamException.Kind.AUTH;
                meaning = "the credential is refused";
            }
            case 1008 -> {
                kind = UpstreamException.Kind.AUTH;
                meaning = "insufficient balance on this account";
            }
            case INPUT_SENSITIVE -> {
                kind = UpstreamException.Kind.REJECTED;
                meaning = "the input was flagged as sensitive (content filter)";
            }
            case OUTPUT_SENSITIVE -> {
                kind = UpstreamException.Kind.REJECTED;
                meaning = "the output was flagged as sensitive (content filter)";
            }
            case 2013 -> {
                kind = UpstreamException.Kind.REJECTED;
                meaning = "invalid parameters";
            }
            case 1000, 1001, 1024 -> {
                kind = UpstreamException.Kind.TRANSIENT;
                meaning = code == 1001 ? "request timeout" : code == 1000 ? "unknown error" : "internal error";
            }
            default -> {
                kind = code >= 2000 ? UpstreamException.Kind.REJECTED : UpstreamException.Kind.TRANSIENT;
                meaning = "error";
            }
        }
        String message = what + ": MiniMax answered " + meaning + " (base_resp " + code + ")";
        if (code == INPUT_SENSITIVE || code == OUTPUT_SENSITIVE) return UpstreamException.filtered(200, message);
        return new UpstreamException(kind, 200, null, message);
    }

    /** A task that ended {@code Fail}: a sensitive-content code is the content filter, anything else a failure. */
    static Poll failed(MiniMaxWire.BaseResp r) {
        Integer code = r == null || r.statusCode() == null || r.statusCode() == 0 ? null : r.statusCode();
        String msg = r == null || r.statusMsg() == null ? "no message" : r.statusMsg();
        if (code != null && (code == INPUT_SENSITIVE || code == OUTPUT_SENSITIVE)) {
            return new Poll.Filtered(msg + " (" + code + ")");
        }
        return new Poll.Failed(code == null ? null : String.valueOf(code), msg);
    }
}
