package io.framegate.provider;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether a downloaded result is a whole MP4 (ISO-BMFF) file: its top-level boxes, from an {@code ftyp}, end exactly
 * at the end of the file and one is the {@code moov}. An HTML or JSON page (a CDN's error, a proxy's login) is no
 * video, and a body cut off mid-way with no length to tell is incomplete: without this check both were delivered
 * (and charged) as the job's video, or failed later as an internal error.
 */
final class ResultVideo {
    private ResultVideo() {
    }

    /**
     * @throws UpstreamException REJECTED when the file is not an MP4 at all, TRANSIENT when it is one cut short (the
     *                           download is tried again within the deadline)
     */
    static void check(Path video, String what) throws UpstreamException {
        try (SeekableByteChannel ch = Files.newByteChannel(video)) {
            long size = ch.size();
            long pos = 0;
            boolean moov = false;
            ByteBuffer head = ByteBuffer.allocate(16);
            for (int box = 0; pos < size; box++) {
                head.clear().limit((int) Math.min(16, size - pos));
                ch.position(pos);
                while (head.hasRemaining() && ch.read(head) > 0) { }
                if (head.position() < 8) throw incomplete(what);
                long length = Integer.toUnsignedLong(head.getInt(0));
                String type = new String(new byte[] {head.get(4), head.get(5), head.get(6), head.get(7)},
                        java.nio.charset.StandardCharsets.ISO_8859_1);
                if (box == 0 && !type.equals("ftyp")) throw notMp4(what);
                if (length == 1) {
                    if (head.position() < 16) throw incomplete(what);
                    length = head.getLong(8);
                    if (length < 16) throw notMp4(what);
                } else if (length == 0) {
                    length = size - pos; // the last box runs to the end of the file
                } else if (length < 8) {
                    throw notMp4(what);
                }
                if (length > size - pos) throw incomplete(what);
                moov |= type.equals("moov");
                pos += length;
            }
            if (size == 0) throw notMp4(what);
            if (!moov) throw incomplete(what);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the downloaded " + video, e);
        }
    }

    private static UpstreamException notMp4(String what) {
        return new UpstreamException(UpstreamException.Kind.REJECTED, 0, null, what + " is not an MP4 video");
    }

    private static UpstreamException incomplete(String what) {
        return new UpstreamException(UpstreamException.Kind.TRANSIENT, 0, null, what + " is an incomplete MP4 (cut short)");
    }
}
