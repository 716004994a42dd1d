package bot.bottle.egress.proxy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;

/**
 * One upstream connection, owned by one agent connection and living on the same event loop (no
 * cross-thread hand-off on the hot path). It sends one request at a time and aggregates the response
 * up to the response limit; it is reused for the next request to the same scheme, host and port while
 * the upstream keeps it alive.
 */
final class Upstream {
    /** Receives the outcome of a request, on the event loop. */
    interface Listener {
        /**
         * The full response; {@code body} is owned by the listener. {@code copy} is the body's bytes when
         * the request asked for them and the response had a Content-Length (copied as they arrived, while
         * the rest was still on its way), else null.
         */
        void upstreamResponse(Upstream u, HttpResponse head, ByteBuf body, byte[] copy);

        /** The request failed; {@code status} is 502 or 504. */
        void upstreamFailed(Upstream u, int status, String reason);
    }

    final String key;
    private final Channel channel;
    private final Handler handler;
    private boolean reusable = true;

    private Upstream(String key, Channel channel, Handler handler) {
        this.key = key;
        this.channel = channel;
        this.handler = handler;
    }

    boolean usableFor(String k) {
        return reusable && key.equals(k) && channel.isActive();
    }

    /** Idle (no request in flight) and still open: may be handed to another agent connection. */
    boolean idle() {
        return reusable && !handler.expecting && channel.isActive();
    }

    /** The agent connection that will receive the next response. */
    void attach(Listener l) {
        handler.listener = l;
    }

    EventLoop loop() {
        return channel.eventLoop();
    }

    /** Runs when the channel closes (the pool forgets the connection). */
    void onClose(Runnable r) {
        channel.closeFuture().addListener(f -> r.run());
    }

    void close() {
        reusable = false;
        channel.close();
    }

    /** Connects to the resolved address (TLS with SNI and host name verification when {@code tls}). */
    static void open(EventLoop loop, ProxyState st, Exchange ex, InetAddress addr, Listener listener,
                     java.util.function.Consumer<Upstream> onConnected) {
        Handler h = new Handler(st.limits.maxResponseBody(), listener);
        Bootstrap b = new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) st.limits.connectTimeout().toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (ex.tls) {
                            SslHandler ssl = st.tls.client().newHandler(ch.alloc(), ex.host, ex.port);
                            ssl.setHandshakeTimeout(st.limits.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
                            ch.pipeline().addLast("tls", ssl);
                        }
                        HttpDecoderConfig dc = new HttpDecoderConfig()
                                .setMaxInitialLineLength(8192)
                                .setMaxHeaderSize(st.limits.maxHeaderBytes())
                                .setMaxChunkSize(1 << 16)
                                .setAllowDuplicateContentLengths(false)
                                .setStrictLineParsing(true);
                        ch.pipeline().addLast("http", new HttpClientCodec(dc, false, false));
                        ch.pipeline().addLast("idle", new IdleStateHandler(
                                st.limits.upstreamTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
                        ch.pipeline().addLast("up", h);
                    }
                });
        ChannelFuture f = b.connect(new InetSocketAddress(addr, ex.port));
        Upstream u = new Upstream(ex.upstreamKey(), f.channel(), h);
        h.owner = u;
        f.addListener(done -> {
            if (done.isSuccess()) {
                onConnected.accept(u);
            } else {
                u.reusable = false;
                listener.upstreamFailed(u, 502, "cannot connect to " + ex.host + ":" + ex.port);
            }
        });
    }

    /**
     * Sends one request; the response (or failure) comes to the listener. {@code copyBody}: the listener
     * will need the response body as an array (to scan it), so it is copied as it arrives.
     */
    void send(FullHttpRequest req, boolean copyBody) {
        handler.expecting = true;
        handler.copyBody = copyBody;
        channel.writeAndFlush(req).addListener(f -> {
            if (!f.isSuccess()) {
                handler.fail(502, "upstream write failed: " + rootMessage(f.cause()));
            }
        });
    }

    static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        String m = c.getMessage();
        return c.getClass().getSimpleName() + (m == null ? "" : ": " + m.replaceAll("[\\r\\n]+", " "));
    }

    private static final class Handler extends ChannelInboundHandlerAdapter {
        private final int maxBody;
        Listener listener;
        Upstream owner;
        boolean expecting;
        private HttpResponse head;
        private CompositeByteBuf body;
        boolean copyBody;
        private BodyCopy copy;
        private boolean skippingInterim;

        Handler(int maxBody, Listener listener) {
            this.maxBody = maxBody;
            this.listener = listener;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (!expecting) {
                    // Nothing was asked: an unsolicited response could desynchronise the connection.
                    owner.close();
                    return;
                }
                if (msg instanceof HttpResponse r) {
                    if (r.decoderResult().isFailure()) {
                        fail(502, "malformed upstream response");
                        return;
                    }
                    int code = r.status().code();
                    if (code >= 100 && code < 200) {
                        if (code == 101) {
                            fail(502, "upstream switched protocols without being asked");
                            return;
                        }
                        skippingInterim = true; // 100/103: dropped, the final response follows
                        return;
                    }
                    skippingInterim = false;
                    head = r;
                    body = ctx.alloc().compositeBuffer(1024);
                    copy = copyBody ? BodyCopy.of(BodyCopy.announced(r.headers()), maxBody) : null;
                }
                if (msg instanceof HttpContent c) {
                    if (c.decoderResult().isFailure()) {
                        fail(502, "malformed upstream response body");
                        return;
                    }
                    if (skippingInterim) {
                        if (c instanceof LastHttpContent) {
                            skippingInterim = false;
                        }
                        return;
                    }
                    if (head == null) {
                        fail(502, "upstream body without a response head");
                        return;
                    }
                    ByteBuf content = c.content();
                    if (body.readableBytes() + (long) content.readableBytes() > maxBody) {
                        fail(502, "upstream response larger than " + maxBody + " bytes (not passed unscanned)");
                        return;
                    }
                    if (content.isReadable()) {
                        if (copy != null) {
                            copy.add(content);
                        }
                        body.addComponent(true, content.retain());
                    }
                    if (c instanceof LastHttpContent) {
                        HttpResponse h = head;
                        ByteBuf b = body;
                        byte[] bytes = copy != null ? copy.complete() : null;
                        head = null;
                        body = null;
                        copy = null;
                        expecting = false;
                        if (!HttpUtil.isKeepAlive(h)) {
                            owner.reusable = false;
                        }
                        listener.upstreamResponse(owner, h, b, bytes);
                    }
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        void fail(int status, String reason) {
            owner.reusable = false;
            if (body != null) {
                body.release();
                body = null;
            }
            head = null;
            boolean wasExpecting = expecting;
            expecting = false;
            owner.channel.close();
            if (wasExpecting) {
                listener.upstreamFailed(owner, status, reason);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                if (expecting) {
                    fail(504, "upstream did not answer in time");
                } else {
                    owner.close(); // idle keep-alive connection
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            owner.reusable = false;
            if (expecting) {
                fail(502, "upstream closed the connection before the response was complete");
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (expecting) {
                fail(502, "upstream error: " + rootMessage(cause));
            } else {
                owner.close();
            }
        }
    }
}
