package bot.bottle.egress.proxy;

import io.netty.buffer.ByteBuf;

/**
 * A message body copied into the array the scan needs as its chunks arrive (while the rest is still on
 * its way), instead of in one copy once it is complete. Only for an announced Content-Length: the array
 * is allocated before a byte of it has arrived, so the length is bounded by the caller.
 */
final class BodyCopy {
    /** Largest announced body copied as it arrives; bigger ones are copied once complete. */
    static final int MAX = 8 << 20;

    private byte[] array;
    private int filled;

    private BodyCopy(int length) {
        array = new byte[length];
    }

    /** A copy for a body of {@code announced} bytes (-1: none announced), or null when not worth one. */
    static BodyCopy of(long announced, int max) {
        return announced > 0 && announced <= Math.min(max, MAX) ? new BodyCopy((int) announced) : null;
    }

    /** The Content-Length of a message's headers, or -1 when absent or not a number (the decoder refuses it). */
    static long announced(io.netty.handler.codec.http.HttpHeaders h) {
        String v = h.get("content-length");
        try {
            return v == null ? -1 : Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Appends a chunk (not consumed); more than announced abandons the copy. */
    void add(ByteBuf chunk) {
        int n = chunk.readableBytes();
        if (array == null) {
            return;
        }
        if (filled + n > array.length) {
            array = null;
            return;
        }
        chunk.getBytes(chunk.readerIndex(), array, filled, n);
        filled += n;
    }

    /** The bytes when exactly the announced length arrived, else null (the caller copies the buffer). */
    byte[] complete() {
        return array != null && filled == array.length ? array : null;
    }
}
