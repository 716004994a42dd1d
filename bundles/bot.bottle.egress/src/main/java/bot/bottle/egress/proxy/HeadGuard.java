package bot.bottle.egress.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * A byte-level check of each request head, placed before Netty's decoder, for what the decoder
 * tolerates (SECURITY-NOTES 9): obsolete line folding (Netty joins folded lines), a bare CR or bare LF,
 * control characters, bytes outside ASCII in the request line or a header name, leading empty lines,
 * and heads larger than the limit. A violation stops the connection before the decoder sees the head.
 *
 * <p>The guard scans from the start of a head to its empty line, then lets the body through until the
 * connection handler calls {@link #expectHead()} after the last body byte. Bytes that arrive for a
 * pipelined next request in the same read pass unscanned, which is why the handler closes a connection
 * that pipelines (it checks the decoder for left-over bytes).
 */
final class HeadGuard extends ChannelInboundHandlerAdapter {
    /** Called with a short reason when the head is refused. */
    interface Violation {
        void refused(ChannelHandlerContext ctx, String reason);
    }

    private final int maxHeadBytes;
    private final long headTimeoutMillis;
    private final Violation violation;
    private java.util.concurrent.ScheduledFuture<?> deadline;
    private boolean inHead = true;
    private boolean failed;
    private int size;
    private int lineLen;
    private int lineNo;
    private boolean sawCr;
    private boolean inName;
    private int heads;

    HeadGuard(int maxHeadBytes, long headTimeoutMillis, Violation violation) {
        this.maxHeadBytes = maxHeadBytes;
        this.headTimeoutMillis = headTimeoutMillis;
        this.violation = violation;
    }

    /** The next byte begins a new request head. */
    void expectHead() {
        inHead = true;
        size = 0;
        lineLen = 0;
        lineNo = 0;
        sawCr = false;
        inName = false;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (failed) {
            io.netty.util.ReferenceCountUtil.release(msg);
            return;
        }
        if (inHead && msg instanceof ByteBuf buf) {
            if (size == 0 && buf.isReadable()) {
                startDeadline(ctx);
            }
            String reason = scan(buf);
            if (!inHead && deadline != null) {
                deadline.cancel(false);
                deadline = null;
            }
            if (reason != null) {
                failed = true;
                buf.release();
                violation.refused(ctx, reason);
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    /** A head that trickles in (slowloris) is refused when it is not complete in time. */
    private void startDeadline(ChannelHandlerContext ctx) {
        if (deadline != null) {
            deadline.cancel(false);
        }
        final int headStartedAt = ++heads;
        deadline = ctx.executor().schedule(() -> {
            if (inHead && !failed && heads == headStartedAt && size > 0) {
                failed = true;
                violation.refused(ctx, "request head not complete within " + headTimeoutMillis + " ms");
            }
        }, headTimeoutMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (deadline != null) {
            deadline.cancel(false);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (deadline != null) {
            deadline.cancel(false);
        }
        super.channelInactive(ctx);
    }

    /** Scans readable bytes without consuming them; returns a reason or null. */
    private String scan(ByteBuf buf) {
        int end = buf.writerIndex();
        for (int i = buf.readerIndex(); i < end && inHead; i++) {
            int b = buf.getByte(i) & 0xff;
            if (++size > maxHeadBytes) {
                return "request head larger than " + maxHeadBytes + " bytes";
            }
            if (sawCr) {
                if (b != '\n') {
                    return "bare CR in request head";
                }
                sawCr = false;
                if (lineLen == 0) {
                    if (lineNo == 0) {
                        return "empty line before the request line";
                    }
                    inHead = false; // end of head: the body follows
                }
                lineNo++;
                lineLen = 0;
                inName = lineNo > 0;
                continue;
            }
            if (b == '\r') {
                sawCr = true;
                continue;
            }
            if (b == '\n') {
                return "bare LF in request head";
            }
            if (lineLen == 0 && lineNo > 0 && (b == ' ' || b == '\t')) {
                return "obsolete line folding in request head";
            }
            if (b == 0x7f || (b < 0x20 && b != '\t')) {
                return "control character in request head";
            }
            if (b >= 0x80 && (lineNo == 0 || inName)) {
                return "non-ASCII byte in request line or header name";
            }
            if (lineNo == 0 && b == '\t') {
                return "tab in request line";
            }
            if (inName && b == ':') {
                inName = false;
            } else if (inName && (b == ' ' || b == '\t')) {
                return "whitespace in or after a header name";
            }
            lineLen++;
        }
        return null;
    }
}
