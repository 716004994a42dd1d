package bot.bottle.egress.proxy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import bot.bottle.egress.routes.HostNames;
import bot.bottle.egress.routes.RoutesConfig;
import bot.bottle.egress.routes.RoutesConfig.Route;
import bot.bottle.egress.routes.RoutesJson;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.AsyncMapping;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Promise;

/**
 * One agent connection: plain forward-proxy requests ({@code GET http://host/...}), {@code CONNECT}
 * tunnels (TLS terminated with a leaf for the CONNECT host; SNI and every inner Host must name that
 * host), and the introspection endpoint. One request at a time: reading stops while a request is being
 * decided, scanned and forwarded, and resumes after its response is written.
 *
 * <p>Order of decisions for a request: syntax and framing, target and Host binding, route (host, DoH,
 * upgrade, git, matches, auth needs TLS, token present) — all before any DNS lookup — then the body
 * (size limit), the outbound DLP hook, resolution and the address check, forwarding with the token
 * injected, the response (size limit), the inbound hook and the reflection guard.
 */
final class ClientHandler extends ChannelInboundHandlerAdapter implements Upstream.Listener {
    static final String INTROSPECTION_HOST = "_egress.local";

    private enum Phase { HEAD, BODY, BUSY }

    private final ProxyState st;
    private final HeadGuard guard;
    private final Decoder decoder;
    private ChannelHandlerContext ctx;
    private Phase phase = Phase.HEAD;
    private boolean closed;

    private String tunnelHost; // non-null once a CONNECT tunnel is established
    private int tunnelPort;
    private String pendingConnectHost;
    private int pendingConnectPort;

    private Exchange ex;
    private Refusal pendingRefusal;
    private String pendingLocal;
    private boolean localKeepAlive;
    private CompositeByteBuf body;
    /**
     * The agent's body as received (owned here, loop only) and the array copy the checks and scans read.
     * Forwarded as is, with no copy, unless something rewrote {@code ex.body} (a redaction).
     */
    private ByteBuf reqBuf;
    private byte[] reqBytes;
    /** The request body copied as it arrives (announced Content-Length), or null: copied once complete. */
    private BodyCopy reqCopy;
    /** The upstream's body as received (owned here, loop only): returned as is unless the inbound hook rewrote it. */
    private ByteBuf respBuf;
    private boolean closeAfter;
    private ScheduledFuture<?> requestDeadline;
    private Upstream upstream;
    private RoutesConfig routesAtHead;

    /** Netty's request decoder with strict settings; exposes how many bytes it still buffers. */
    static final class Decoder extends HttpRequestDecoder {
        Decoder(int maxHeaderBytes) {
            super(new HttpDecoderConfig()
                    .setMaxInitialLineLength(8192)
                    .setMaxHeaderSize(maxHeaderBytes)
                    .setMaxChunkSize(1 << 16)
                    .setValidateHeaders(true)
                    .setAllowDuplicateContentLengths(false)
                    .setStrictLineParsing(true)
                    .setUseRfc9112TransferEncoding(true));
        }

        int buffered() {
            return actualReadableBytes();
        }
    }

    ClientHandler(ProxyState st, HeadGuard guard, Decoder decoder) {
        this.st = st;
        this.guard = guard;
        this.decoder = decoder;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** Called by the {@link HeadGuard} when a head is refused at byte level. */
    void headViolation(String reason) {
        refuseAndClose(Refusal.bad("http-syntax", reason), null, null, null);
    }

    // ---- inbound messages ------------------------------------------------------------------------

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (closed) {
                return;
            }
            if (msg instanceof HttpRequest req) {
                if (phase != Phase.HEAD) {
                    // A pipelined request decoded from the same read: answer the current one, then close.
                    closeAfter = true;
                    return;
                }
                if (req.decoderResult().isFailure()) {
                    refuseAndClose(Refusal.bad("http-syntax", "malformed request: "
                            + Upstream.rootMessage(req.decoderResult().cause())), null, null, null);
                    return;
                }
                onHead(req);
            }
            if (msg instanceof HttpContent c && !closed) {
                if (c.decoderResult().isFailure()) {
                    refuseAndClose(Refusal.bad("http-syntax", "malformed request body: "
                            + Upstream.rootMessage(c.decoderResult().cause())), null, null, null);
                    return;
                }
                if (phase != Phase.BODY) {
                    return;
                }
                if (body != null && c.content().isReadable()) {
                    if (body.readableBytes() + (long) c.content().readableBytes() > st.limits.maxRequestBody()) {
                        refuseAndClose(new Refusal(413, "body-too-large", "request body larger than "
                                + st.limits.maxRequestBody() + " bytes (never forwarded unscanned)"),
                                ex.host, ex.method, ex.logPath);
                        return;
                    }
                    if (reqCopy != null) {
                        reqCopy.add(c.content());
                    }
                    body.addComponent(true, c.content().retain());
                }
                if (c instanceof LastHttpContent) {
                    onRequestComplete();
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onHead(HttpRequest req) {
        startRequestDeadline();
        String method = req.method().name();
        HttpHeaders h = req.headers();
        localKeepAlive = HttpUtil.isKeepAlive(req);
        Refusal framing = RequestPolicy.framing(h);
        if (framing != null) {
            refuseAndClose(framing, null, method, null);
            return;
        }
        boolean hasBody = HttpUtil.isTransferEncodingChunked(req) || HttpUtil.getContentLength(req, 0L) > 0;
        if ("CONNECT".equals(method)) {
            onConnectHead(req, hasBody);
            return;
        }
        String uri = req.uri();
        String scheme;
        String rawHost;
        int port;
        String rawPath;
        if (uri.startsWith("/")) {
            if (tunnelHost == null) {
                // Origin-form straight to the proxy: only its own endpoints answer.
                pendingLocal = uri.startsWith("/allowlist") ? "/allowlist" : uri;
                beginBody(null, hasBody, method, false, h);
                return;
            }
            scheme = "https";
            String host = h.get("host");
            if (host == null) {
                refuseAndClose(Refusal.bad("host-header", "request without a Host header"), tunnelHost, method, null);
                return;
            }
            Authority a = Authority.parse(host, 443);
            if (a == null) {
                refuseAndClose(Refusal.bad("host-header", "malformed Host header"), tunnelHost, method, null);
                return;
            }
            rawHost = a.host;
            port = a.port;
            rawPath = uri;
        } else {
            URI u;
            try {
                u = new URI(uri);
            } catch (URISyntaxException e) {
                refuseAndClose(Refusal.bad("request-target", "malformed request target"), null, method, null);
                return;
            }
            scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") && tunnelHost == null) && !(scheme.equals("https") && tunnelHost != null)) {
                refuseAndClose(Refusal.bad("request-target", tunnelHost == null
                        ? "only http:// requests and CONNECT are proxied (https goes through CONNECT)"
                        : "absolute-form target inside a tunnel must be https://"), null, method, null);
                return;
            }
            if (u.getRawUserInfo() != null || u.getRawAuthority() == null || u.getRawAuthority().contains("@")) {
                refuseAndClose(Refusal.forbidden("userinfo", "user info in the request target is not allowed"),
                        null, method, null);
                return;
            }
            Authority a = Authority.parse(u.getRawAuthority(), scheme.equals("https") ? 443 : 80);
            if (a == null) {
                refuseAndClose(Refusal.bad("request-target", "malformed authority in request target"),
                        null, method, null);
                return;
            }
            rawHost = a.host;
            port = a.port;
            String p = u.getRawPath();
            rawPath = (p == null || p.isEmpty() ? "/" : p) + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
            String hostHeader = h.get("host");
            if (hostHeader != null) {
                Authority ha = Authority.parse(hostHeader, a.defaultPort);
                if (ha == null || !sameHost(ha.host, a.host) || ha.port != a.port) {
                    refuseAndClose(Refusal.forbidden("host-mismatch", "Host header disagrees with the request target"),
                            null, method, null);
                    return;
                }
            }
        }
        String host;
        try {
            host = HostNames.normalise(rawHost);
        } catch (IllegalArgumentException e) {
            refuseAndClose(Refusal.forbidden("bad-host", e.getMessage()), null, method, null);
            return;
        }
        if (tunnelHost != null && (!host.equals(tunnelHost) || port != tunnelPort)) {
            refuseAndClose(Refusal.forbidden("host-mismatch", "Host " + host + ":" + port
                    + " disagrees with the CONNECT target " + tunnelHost + ":" + tunnelPort), tunnelHost, method, null);
            return;
        }
        int q = rawPath.indexOf('?');
        String query = q < 0 ? null : rawPath.substring(q + 1);
        String path;
        try {
            path = RequestPolicy.normalisePath(q < 0 ? rawPath : rawPath.substring(0, q));
        } catch (IllegalArgumentException e) {
            refuseAndClose(Refusal.bad("path", e.getMessage()), host, method, null);
            return;
        }
        if (host.equals(INTROSPECTION_HOST) && tunnelHost == null) {
            pendingLocal = path;
            beginBody(null, hasBody, method, false, h);
            return;
        }
        HttpHeaders fwd = forwardHeaders(h);
        RoutesConfig routes = st.routes;
        routesAtHead = routes;
        // Decided on the agent's own headers (Upgrade and Connection are hop-by-hop and gone from fwd).
        Object decision = RequestPolicy.decide(routes, host, method, path, query == null ? "" : query, h,
                tunnelHost != null);
        if (decision instanceof Refusal r) {
            pendingRefusal = r;
            ex = new Exchange(tunnelHost != null, host, port, method, path, query, fwd, HttpUtil.isKeepAlive(req),
                    null);
            beginBody(null, hasBody, method, false, h);
            return;
        }
        Route route = (Route) decision;
        if (route.hasAuth() && st.token(route.tokenEnv()) == null) {
            pendingRefusal = Refusal.forbidden("token-missing", "route " + host + " injects " + route.tokenEnv()
                    + " but it is not set in the proxy's environment");
        }
        ex = new Exchange(tunnelHost != null, host, port, method, path, query, fwd, HttpUtil.isKeepAlive(req), route);
        if (HttpUtil.getContentLength(req, 0L) > st.limits.maxRequestBody()) {
            refuseAndClose(new Refusal(413, "body-too-large", "request body larger than "
                    + st.limits.maxRequestBody() + " bytes (never forwarded unscanned)"), host, method, path);
            return;
        }
        beginBody(route, hasBody, method, HttpUtil.is100ContinueExpected(req), h);
    }

    private void beginBody(Route route, boolean hasBody, String method, boolean expectContinue, HttpHeaders h) {
        if ((pendingRefusal != null || pendingLocal != null) && hasBody) {
            // Not worth reading a body that will be refused: answer and close.
            if (pendingRefusal != null) {
                Refusal r = pendingRefusal;
                pendingRefusal = null;
                refuseAndClose(r, ex == null ? null : ex.host, method, ex == null ? null : ex.logPath);
            } else {
                refuseAndClose(Refusal.bad("local", "requests to the proxy itself carry no body"), null, method, null);
            }
            return;
        }
        if (expectContinue && pendingRefusal == null) {
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
                    Unpooled.EMPTY_BUFFER));
        }
        phase = Phase.BODY;
        body = ctx.alloc().compositeBuffer(1024);
        // at most 1 MiB ahead of the bytes: an agent announcing lengths it never sends gains little memory
        reqCopy = BodyCopy.of(BodyCopy.announced(h), Math.min(st.limits.maxRequestBody(), 1 << 20));
        if (ex != null && route != null) {
            ex.headers.remove("expect");
        }
    }

    private void onConnectHead(HttpRequest req, boolean hasBody) {
        if (tunnelHost != null) {
            refuseAndClose(Refusal.bad("connect", "CONNECT inside a tunnel"), tunnelHost, "CONNECT", null);
            return;
        }
        if (hasBody) {
            refuseAndClose(Refusal.bad("connect", "CONNECT with a body"), null, "CONNECT", null);
            return;
        }
        String authority = req.uri();
        if (authority.contains("@") || authority.contains("/")) {
            refuseAndClose(Refusal.forbidden("userinfo", "CONNECT target must be host:port"), null, "CONNECT", null);
            return;
        }
        Authority a = Authority.parse(authority, -1);
        if (a == null || a.port < 0) {
            refuseAndClose(Refusal.bad("connect", "CONNECT target must be host:port"), null, "CONNECT", null);
            return;
        }
        String host;
        try {
            host = HostNames.normalise(a.host);
        } catch (IllegalArgumentException e) {
            refuseAndClose(Refusal.forbidden("bad-host", e.getMessage()), null, "CONNECT", null);
            return;
        }
        pendingConnectHost = host;
        pendingConnectPort = a.port;
        phase = Phase.BODY;
        body = null;
    }

    private void onRequestComplete() {
        phase = Phase.BUSY;
        cancelRequestDeadline();
        ctx.channel().config().setAutoRead(false);
        if (decoder.buffered() > 0) {
            closeAfter = true; // pipelined bytes passed the guard unscanned: never serve them
        }
        guard.expectHead();
        if (pendingConnectHost != null) {
            establishTunnel();
            return;
        }
        if (pendingLocal != null) {
            String p = pendingLocal;
            pendingLocal = null;
            releaseBody();
            local(p);
            return;
        }
        if (pendingRefusal != null) {
            Refusal r = pendingRefusal;
            pendingRefusal = null;
            releaseBody();
            refuse(r, ex.host, ex.method, ex.logPath);
            return;
        }
        byte[] copied = reqCopy == null ? null : reqCopy.complete();
        byte[] bytes = body == null || !body.isReadable() ? new byte[0]
                : copied != null ? copied : ByteBufUtil.getBytes(body);
        releaseHeld();
        if (bytes.length > 0) {
            reqBuf = body; // kept: forwarded without a copy unless rewritten
            reqBytes = bytes;
            body = null;
        }
        releaseBody();
        ex.body = bytes;
        st.log.request(ex.host, ex.method, ex.logPath, ex.headers, bytes.length);
        Exchange mine = ex;
        RoutesConfig routes = routesAtHead;
        if (upstream == null || !upstream.usableFor(mine.upstreamKey())) {
            if (upstream != null) {
                st.pool.give(upstream);
            }
            upstream = st.pool.take(ctx.channel().eventLoop(), mine.upstreamKey());
            if (upstream != null) {
                upstream.attach(this);
            }
        }
        boolean needConnect = upstream == null;
        if (nothingToDoOffLoop(mine, needConnect) || smallEnoughForTheLoop(mine, needConnect)) {
            // No DNS, no decoding, and at most a bounded scan: cheaper here than a thread hand-off.
            prepare(mine, routes, needConnect);
        } else {
            submit(() -> prepare(mine, routes, needConnect));
        }
    }

    // ---- worker side -----------------------------------------------------------------------------

    private boolean nothingToDoOffLoop(Exchange e, boolean needConnect) {
        return !e.route.outbound().enabled()
                && (e.body.length == 0 || (e.headers.get("content-encoding") == null && !e.path.contains("/info/lfs/")))
                && (!needConnect || st.pin(e.host, e.port) != null);
    }

    /**
     * Most text (header names and values, path and query, body bytes) one message may carry and still be
     * scanned on the event loop. Scans are linear in their input (RE2J, Aho-Corasick); the DLP engine
     * measured about 7 us for a small request and 15-25 us per KiB on bodies, so a 4 KiB message holds
     * its loop for well under 0.1 ms, about what two executor hand-offs (there and back) cost on an idle
     * machine and far less than they cost on a busy one. Bigger plain messages follow {@link ScanCost};
     * anything that needs DNS and encoded request bodies go to the workers. A supervise hold never runs
     * here (see DlpStage).
     */
    static final int INLINE_SCAN_BYTES = 4 << 10;

    private boolean smallEnoughForTheLoop(Exchange e, boolean needConnect) {
        if ((needConnect && st.pin(e.host, e.port) == null)
                || (e.body.length > 0 && e.headers.get("content-encoding") != null)) {
            return false;
        }
        long size = (long) e.body.length + e.target().length() + headerChars(e.headers);
        return size <= INLINE_SCAN_BYTES || st.outboundCost.fitsLoop(size);
    }

    /** Characters of header names and values (what the header surfaces hand to the scanner). */
    static int headerChars(HttpHeaders h) {
        int n = 0;
        var it = h.iteratorCharSequence();
        while (it.hasNext()) {
            var en = it.next();
            n += en.getKey().length() + en.getValue().length();
        }
        return n;
    }

    /** Decode, LFS check, outbound DLP, resolution: on a worker, or on the loop when small (see above). */
    private void prepare(Exchange e, RoutesConfig routes, boolean needConnect) {
        long started = System.nanoTime();
        byte[] decoded = e.body;
        BodyCodec.Text text = null;
        if (e.body.length > 0) {
            String ce = e.headers.get("content-encoding");
            if (!BodyCodec.supported(ce)) {
                onLoop(() -> refuse(Refusal.forbidden("content-encoding", "request Content-Encoding '" + ce
                        + "' cannot be scanned"), e.host, e.method, e.logPath));
                return;
            }
            try {
                decoded = BodyCodec.decode(e.body, ce, st.limits.maxRequestBody());
            } catch (IOException | RuntimeException x) {
                onLoop(() -> refuse(Refusal.forbidden("content-encoding", "request body cannot be decoded for "
                        + "scanning"), e.host, e.method, e.logPath));
                return;
            }
            if (RequestPolicy.lfsUpload(e.path, decoded)) {
                onLoop(() -> refuse(Refusal.forbidden("git-lfs", "Git LFS uploads never leave through the proxy"),
                        e.host, e.method, e.logPath));
                return;
            }
            if (e.route.outbound().enabled()) {
                text = BodyCodec.text(decoded);
            }
        }
        CompletionStage<Refusal> scanned = DlpStage.outbound(st, e, routes, decoded, text);
        if (text != null) { // the scan itself (a supervise hold, if any, waits elsewhere)
            st.outboundCost.observe(text.text().length(), System.nanoTime() - started);
        }
        scanned.whenComplete((refusal, err) -> {
            if (err != null || refusal != null) {
                Refusal r = refusal != null ? refusal : Refusal.forbidden("dlp-error", "outbound scan failed");
                onLoop(() -> refuse(r, e.host, e.method, e.logPath));
                return;
            }
            if (!needConnect) {
                onLoop(() -> forward(e, null));
                return;
            }
            Object target = resolve(e.host, e.port);
            if (target instanceof Refusal r) {
                onLoop(() -> refuse(r, e.host, e.method, e.logPath));
            } else {
                onLoop(() -> forward(e, (InetAddress) target));
            }
        });
    }

    /** One lookup (or the pin); the first acceptable address; refuses non-public ones not named by a pin. */
    private Object resolve(String host, int port) {
        ResolvePin pin = st.pin(host, port);
        if (pin != null) {
            return pin.address();
        }
        InetAddress[] all;
        try {
            all = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            return new Refusal(502, "dns", "cannot resolve " + host);
        }
        String why = null;
        for (InetAddress a : all) {
            String reason = AddressPolicy.nonPublic(a);
            if (reason == null) {
                return a;
            }
            why = reason;
        }
        return Refusal.forbidden("address", host + " resolves to " + why
                + "; only public addresses are reachable unless pinned");
    }

    // ---- forwarding (event loop) -----------------------------------------------------------------

    private void forward(Exchange e, InetAddress addr) {
        if (closed) {
            return;
        }
        // The bytes as received when nothing rewrote them (no copy), else the rewritten array.
        ByteBuf content = e.body.length == 0 ? Unpooled.EMPTY_BUFFER
                : reqBuf != null && e.body == reqBytes ? reqBuf.retainedDuplicate() : Unpooled.wrappedBuffer(e.body);
        DefaultFullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, io.netty.handler.codec.http
                .HttpMethod.valueOf(e.method), e.target(), content, false);
        HttpHeaders out = req.headers();
        out.add(e.headers);
        out.set("host", e.port == (e.tls ? 443 : 80) ? e.host : e.host + ":" + e.port);
        if (e.route.hasAuth()) {
            out.remove("authorization");
            String token = st.token(e.route.tokenEnv());
            if (token == null) {
                refuse(Refusal.forbidden("token-missing", "token " + e.route.tokenEnv() + " is not set"),
                        e.host, e.method, e.logPath);
                req.release();
                return;
            }
            e.injected = token;
            out.set("authorization", e.route.authScheme().wire() + " " + token);
        }
        out.remove("content-length");
        if (e.body.length > 0 || bodyMethod(e.method)) {
            out.set("content-length", e.body.length);
        }
        String ae = out.get("accept-encoding");
        if (ae != null) {
            String filtered = filterAcceptEncoding(ae);
            if (filtered.isEmpty()) {
                out.remove("accept-encoding");
            } else {
                out.set("accept-encoding", filtered);
            }
        }
        boolean copyBody = inspectsResponse(e); // scanned: copy it as it arrives
        if (addr == null && upstream != null && upstream.usableFor(e.upstreamKey())) {
            upstream.send(req, copyBody);
            return;
        }
        if (addr == null) {
            // The kept connection went away while the request was being scanned: resolve again.
            req.release();
            submit(() -> {
                Object target = resolve(e.host, e.port);
                onLoop(() -> {
                    if (target instanceof Refusal r) {
                        refuse(r, e.host, e.method, e.logPath);
                    } else {
                        forward(e, (InetAddress) target);
                    }
                });
            });
            return;
        }
        if (upstream != null) {
            st.pool.give(upstream);
            upstream = null;
        }
        Upstream.open(ctx.channel().eventLoop(), st, e, addr, this, u -> {
            if (closed) {
                u.close();
                req.release();
                return;
            }
            upstream = u;
            u.send(req, copyBody);
        });
    }

    private static boolean bodyMethod(String m) {
        return m.equals("POST") || m.equals("PUT") || m.equals("PATCH");
    }

    /** Only encodings the inbound hook can decode are offered upstream (SECURITY-NOTES 7). */
    static String filterAcceptEncoding(String ae) {
        List<String> keep = new ArrayList<>();
        for (String part : ae.split(",")) {
            String token = part.trim();
            String name = token.split(";")[0].trim().toLowerCase(Locale.ROOT);
            if (name.equals("gzip") || name.equals("deflate") || name.equals("br") || name.equals("identity")
                    || name.equals("x-gzip")) {
                keep.add(token);
            }
        }
        return String.join(", ", keep);
    }

    @Override
    public void upstreamResponse(Upstream u, HttpResponse head, ByteBuf bodyBuf, byte[] copy) {
        if (closed || ex == null) {
            bodyBuf.release();
            return;
        }
        Exchange e = ex;
        if (respBuf != null) {
            respBuf.release();
        }
        respBuf = bodyBuf; // kept (loop only): returned without a copy unless the inbound hook rewrites it
        HttpHeaders rh = forwardHeaders(head.headers());
        int status = head.status().code();
        boolean inspect = inspectsResponse(e);
        if (!inspect) {
            respond(e, head.status(), rh, null, false);
            return;
        }
        byte[] bytes = copy != null ? copy : ByteBufUtil.getBytes(bodyBuf);
        RoutesConfig routes = routesAtHead;
        String ce = rh.get("content-encoding");
        if (!e.route.inbound().enabled() && ce == null && bytes.length <= INLINE_GUARD_BYTES) {
            // only the reflection guard's literal search on a small plain body: no hand-off
            inbound(e, head, rh, bytes, bytes, routes, status);
            return;
        }
        int headers = headerChars(rh);
        int budget = INLINE_SCAN_BYTES - headers;
        if (bytes.length <= budget && BodyCodec.supported(ce)) {
            byte[] decoded = null;
            try {
                decoded = BodyCodec.decode(bytes, ce, budget); // bounded: at most the budget comes out
            } catch (IOException | RuntimeException x) {
                // larger once decoded, or corrupt: the worker decodes with the real limit and decides
            }
            if (decoded != null) {
                inbound(e, head, rh, bytes, decoded, routes, status);
                return;
            }
        }
        if (ce == null && st.inboundCost.fitsLoop((long) bytes.length + headers)) {
            inbound(e, head, rh, bytes, bytes, routes, status); // plain, and predicted short: no hand-off
            return;
        }
        submit(() -> {
            byte[] decoded;
            try {
                if (!BodyCodec.supported(ce)) {
                    throw new IOException("unsupported encoding");
                }
                decoded = BodyCodec.decode(bytes, ce, st.limits.maxResponseBody());
            } catch (IOException | RuntimeException x) {
                onLoop(() -> refuse(new Refusal(502, "content-encoding", "upstream response cannot be decoded for "
                        + "scanning"), e.host, e.method, e.logPath));
                return;
            }
            inbound(e, head, rh, bytes, decoded, routes, status);
        });
    }

    /** Whether the response is read before it is returned: the inbound hook or the reflection guard. */
    private static boolean inspectsResponse(Exchange e) {
        return e.route.inbound().enabled() || e.injected != null;
    }

    /** Inbound hook and reflection guard on a decoded body, then the answer (on the loop). */
    private void inbound(Exchange e, HttpResponse head, HttpHeaders rh, byte[] bytes, byte[] decoded,
                         RoutesConfig routes, int status) {
        long started = System.nanoTime();
        DlpStage.Inbound in = DlpStage.inbound(st, e, routes, rh, decoded, status);
        if (e.route.inbound().enabled()) {
            st.inboundCost.observe(decoded.length, System.nanoTime() - started);
        }
        onLoop(() -> {
            if (in.refusal() != null) {
                refuse(in.refusal(), e.host, e.method, e.logPath);
            } else if (in.modified()) {
                rh.remove("content-encoding");
                respond(e, head.status(), rh, in.body(), true);
            } else {
                respond(e, head.status(), rh, null, false);
            }
        });
    }

    /** Largest plain response body whose reflection-guard search runs on the event loop. */
    static final int INLINE_GUARD_BYTES = 64 << 10;

    @Override
    public void upstreamFailed(Upstream u, int status, String reason) {
        if (u == upstream) {
            upstream = null;
        }
        if (closed || ex == null || phase != Phase.BUSY) {
            return;
        }
        refuse(new Refusal(status, "upstream", reason), ex.host, ex.method, ex.logPath);
    }

    /**
     * Answers with the upstream's response: {@code rewritten} when the inbound hook changed the body, else
     * (null) the body exactly as received, without a copy.
     */
    private void respond(Exchange e, HttpResponseStatus status, HttpHeaders headers, byte[] rewritten,
                         boolean modified) {
        if (closed) {
            return;
        }
        ByteBuf received = respBuf;
        respBuf = null;
        ByteBuf content;
        if (rewritten != null) {
            if (received != null) {
                received.release();
            }
            content = Unpooled.wrappedBuffer(rewritten);
        } else {
            content = received != null ? received : Unpooled.EMPTY_BUFFER;
        }
        int length = content.readableBytes();
        int code = status.code();
        boolean noBody = e.method.equals("HEAD") || code == 204 || code == 304;
        if (noBody) {
            content.release();
            content = Unpooled.EMPTY_BUFFER;
        }
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content, false);
        r.headers().add(headers);
        if (!noBody || modified) {
            r.headers().remove("content-length");
            if (!noBody) {
                r.headers().set("content-length", length);
            }
        }
        st.log.response(e.host, e.method, e.logPath, code, headers, length,
                (System.nanoTime() - e.startNanos) / 1000);
        write(r, !e.keepAlive);
    }

    // ---- local endpoints, refusals, tunnels ------------------------------------------------------

    private void local(String path) {
        if (path.equals("/allowlist")) {
            byte[] json = RoutesJson.allowlist(st.routes).getBytes(StandardCharsets.UTF_8);
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.wrappedBuffer(json), false);
            r.headers().set("content-type", "application/json");
            r.headers().set("content-length", json.length);
            r.headers().set("cache-control", "no-store");
            write(r, !localKeepAlive);
        } else {
            byte[] msg = ("bot-bottle egress: this is a forward proxy; send http:// requests in absolute form or "
                    + "use CONNECT. Its own endpoint: http://" + INTROSPECTION_HOST + "/allowlist\n")
                    .getBytes(StandardCharsets.UTF_8);
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_FOUND,
                    Unpooled.wrappedBuffer(msg), false);
            r.headers().set("content-type", "text/plain; charset=utf-8");
            r.headers().set("content-length", msg.length);
            write(r, !localKeepAlive);
        }
    }

    private void establishTunnel() {
        String host = pendingConnectHost;
        int port = pendingConnectPort;
        pendingConnectHost = null;
        releaseBody();
        if (closeAfter) {
            refuseAndClose(Refusal.bad("connect", "data sent before the tunnel was established"), host, "CONNECT",
                    null);
            return;
        }
        tunnelHost = host;
        tunnelPort = port;
        FullHttpResponse ok = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                new HttpResponseStatus(200, "Connection established"), Unpooled.EMPTY_BUFFER, false);
        ctx.writeAndFlush(ok).addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                ctx.close();
                return;
            }
            ctx.pipeline().addFirst("tls", new SniHandler(sniMapping(host), st.limits.connectTimeout().toMillis()));
            phase = Phase.HEAD;
            ctx.channel().config().setAutoRead(true);
        });
    }

    /** SNI must name the CONNECT host (no SNI at all is refused too); the leaf is issued off the loop. */
    private AsyncMapping<String, SslContext> sniMapping(String host) {
        return (String sni, Promise<SslContext> promise) -> {
            if (sni == null || !sni.equals(host)) {
                st.log.block(host, "CONNECT", "", Refusal.forbidden("sni-mismatch", "TLS SNI "
                        + (sni == null ? "(none)" : sni) + " disagrees with the CONNECT target " + host));
                return promise.setFailure(new javax.net.ssl.SSLException("SNI does not match the CONNECT target"));
            }
            SslContext cached = st.tls.cachedServerFor(host);
            if (cached != null) {
                return promise.setSuccess(cached); // a map lookup: no hand-off for a host seen before
            }
            try {
                st.workers.execute(() -> {
                    try {
                        promise.trySuccess(st.tls.serverFor(host));
                    } catch (Exception e) {
                        promise.tryFailure(e);
                    }
                });
            } catch (RejectedExecutionException e) {
                promise.tryFailure(e);
            }
            return promise;
        };
    }

    private void refuse(Refusal r, String host, String method, String path) {
        if (closed) {
            return;
        }
        st.log.block(host, method, path, r);
        write(refusalResponse(r, host, method, path), closeAfter);
    }

    private void refuseAndClose(Refusal r, String host, String method, String path) {
        if (closed) {
            return;
        }
        closeAfter = true;
        phase = Phase.BUSY;
        ctx.channel().config().setAutoRead(false);
        st.log.block(host, method, path, r);
        write(refusalResponse(r, host, method, path), true);
    }

    static FullHttpResponse refusalResponse(Refusal r, String host, String method, String path) {
        StringBuilder b = new StringBuilder();
        b.append("bot-bottle egress refused this request.\n");
        if (host != null) {
            b.append("host: ").append(host).append('\n');
        }
        if (method != null) {
            b.append("request: ").append(method).append(' ').append(path == null ? "" : path).append('\n');
        }
        b.append("rule: ").append(r.rule()).append('\n');
        b.append("reason: ").append(r.reason()).append('\n');
        if (r.status() == 403) {
            b.append("To ask for access, call the supervise MCP tool `allow` (or `egress-block` after a blocked "
                    + "request) with the full proposed routes.yaml and a justification; `list-egress-routes` "
                    + "(or GET http://" + INTROSPECTION_HOST + "/allowlist through this proxy) shows the live "
                    + "routes.\n");
        }
        byte[] bytes = b.toString().getBytes(StandardCharsets.UTF_8);
        FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()),
                Unpooled.wrappedBuffer(bytes), false);
        resp.headers().set("content-type", "text/plain; charset=utf-8");
        resp.headers().set("content-length", bytes.length);
        resp.headers().set("x-bot-bottle-egress", "refused; rule=" + r.rule());
        resp.headers().set("cache-control", "no-store");
        return resp;
    }

    private void write(FullHttpResponse r, boolean close) {
        releaseHeld(); // the exchange is over: what the request or a refused response still held goes
        boolean shut = close || closeAfter;
        if (shut) {
            r.headers().set("connection", "close");
        }
        ex = null;
        ctx.writeAndFlush(r).addListener((ChannelFutureListener) f -> {
            if (shut || !f.isSuccess()) {
                closed = true;
                ctx.close();
                return;
            }
            phase = Phase.HEAD;
            ctx.channel().config().setAutoRead(true);
            ctx.read();
        });
    }

    // ---- plumbing --------------------------------------------------------------------------------

    /** Copies headers without hop-by-hop ones (and those the Connection header names). */
    static HttpHeaders forwardHeaders(HttpHeaders in) {
        HttpHeaders out = new DefaultHttpHeaders(false);
        List<String> named = new ArrayList<>();
        for (String c : in.getAll("connection")) {
            for (String t : c.split(",")) {
                named.add(t.trim().toLowerCase(Locale.ROOT));
            }
        }
        for (var e : in) {
            String k = e.getKey().toLowerCase(Locale.ROOT);
            if (RequestPolicy.HOP_BY_HOP.contains(k) || named.contains(k)) {
                continue;
            }
            out.add(e.getKey(), e.getValue());
        }
        return out;
    }

    private static boolean sameHost(String a, String b) {
        try {
            return HostNames.normalise(a).equals(HostNames.normalise(b));
        } catch (IllegalArgumentException e) {
            return a.equalsIgnoreCase(b);
        }
    }

    private void submit(Runnable r) {
        try {
            st.workers.execute(r);
        } catch (RejectedExecutionException e) {
            onLoop(() -> {
                Exchange x = ex;
                refuse(new Refusal(503, "overloaded", "the proxy's scan workers are saturated; retry"),
                        x == null ? null : x.host, x == null ? null : x.method, x == null ? null : x.logPath);
            });
        }
    }

    /** Runs on this connection's event loop: at once when already there, else as a task. */
    private void onLoop(Runnable r) {
        if (ctx.channel().eventLoop().inEventLoop()) {
            if (!closed) {
                r.run();
            }
            return;
        }
        ctx.channel().eventLoop().execute(() -> {
            if (!closed) {
                r.run();
            }
        });
    }

    private void releaseBody() {
        reqCopy = null;
        if (body != null) {
            body.release();
            body = null;
        }
    }

    /** Releases the request and response bodies kept for forwarding without a copy. */
    private void releaseHeld() {
        if (reqBuf != null) {
            reqBuf.release();
            reqBuf = null;
        }
        reqBytes = null;
        if (respBuf != null) {
            respBuf.release();
            respBuf = null;
        }
    }

    private void startRequestDeadline() {
        cancelRequestDeadline();
        requestDeadline = ctx.executor().schedule(() -> {
            if (phase != Phase.BUSY && !closed) {
                refuseAndClose(new Refusal(408, "slow-client", "request not received within "
                        + st.limits.idleTimeout().toSeconds() + " s"), ex == null ? null : ex.host, null, null);
            }
        }, st.limits.idleTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void cancelRequestDeadline() {
        if (requestDeadline != null) {
            requestDeadline.cancel(false);
            requestDeadline = null;
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent && phase != Phase.BUSY) {
            closed = true;
            ctx.close(); // idle agent connection (or a head that trickles in): end it
            return;
        }
        if (evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent) {
            if (phase != Phase.BUSY) {
                closed = true;
                ctx.close();
            } else {
                closeAfter = true; // answer what was asked, then close
            }
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        cancelRequestDeadline();
        releaseBody();
        releaseHeld();
        if (upstream != null) {
            st.pool.give(upstream); // kept only when idle; a request in flight closes it
            upstream = null;
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        closed = true;
        ctx.close();
    }

    /** host[:port] with an optional bracketed IPv6 literal (kept so HostNames can refuse it by name). */
    record Authority(String host, int port, int defaultPort) {
        static Authority parse(String s, int defaultPort) {
            if (s == null || s.isEmpty()) {
                return null;
            }
            String host;
            String portStr = null;
            if (s.startsWith("[")) {
                int close = s.indexOf(']');
                if (close < 0) {
                    return null;
                }
                host = s.substring(0, close + 1);
                if (close + 1 < s.length()) {
                    if (s.charAt(close + 1) != ':') {
                        return null;
                    }
                    portStr = s.substring(close + 2);
                }
            } else {
                int colon = s.lastIndexOf(':');
                if (colon >= 0 && s.indexOf(':') != colon) {
                    return new Authority(s, defaultPort, defaultPort); // bare IPv6: refused by name later
                }
                host = colon < 0 ? s : s.substring(0, colon);
                portStr = colon < 0 ? null : s.substring(colon + 1);
            }
            int port = defaultPort;
            if (portStr != null) {
                if (!portStr.matches("[0-9]{1,5}")) {
                    return null;
                }
                port = Integer.parseInt(portStr);
                if (port < 1 || port > 65535) {
                    return null;
                }
            }
            return host.isEmpty() ? null : new Authority(host, port, defaultPort);
        }
    }
}
