package bot.bottle.egress.proxy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

import bot.bottle.api.dlp.DlpScanner;
import bot.bottle.egress.routes.RoutesConfig;
import bot.bottle.egress.tls.BottleCa;
import bot.bottle.egress.tls.TlsContexts;
import bot.bottle.egress.tls.TlsEngine;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The egress proxy as a plain Java object: build, {@link #start()}, {@link #close()}. Used by the Gogo
 * command {@code egress:run}, by the sidecar component and directly by tests and benchmarks.
 *
 * <pre>
 * try (EgressServer s = EgressServer.builder()
 *         .routesFile(Path.of("routes.yaml")).stateDir(Path.of("state"))
 *         .listen(new InetSocketAddress("127.0.0.1", 9099))
 *         .resolve(ResolvePin.parse("api.example.test:8443:127.0.0.1"))
 *         .build().start()) { ... }
 * </pre>
 */
public final class EgressServer implements AutoCloseable {
    private final Builder b;
    private EventLoopGroup group;
    private ThreadPoolExecutor workers;
    private Channel server;
    private RoutesWatcher watcher;
    private ProxyState state;
    private BottleCa ca;

    private EgressServer(Builder b) {
        this.b = b;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Loads the routes (refusing an invalid file), creates or loads the CA, binds the listener and
     * starts watching the routes file.
     */
    public synchronized EgressServer start() throws IOException, GeneralSecurityException, InterruptedException {
        if (server != null) {
            return this;
        }
        // The port is bound first, with the JDK alone (before the routes, Netty and the TLS engine load),
        // and accepts only once the proxy is ready: from the bind on, an agent's connection waits in the
        // listen backlog instead of being refused, so a bottle can release its agent while the proxy
        // still starts (start-up is on the critical path of every bottle).
        // A socket the sidecar's kernel bound even earlier (before the framework) is taken as it is.
        java.nio.channels.ServerSocketChannel bound = b.listener;
        if (bound == null) {
            bound = java.nio.channels.ServerSocketChannel.open();
            try {
                bound.bind(b.listen, 1024);
            } catch (IOException e) {
                bound.close();
                throw new IOException("cannot listen on " + b.listen + ": " + e.getMessage(), e);
            }
        }
        try {
            startBound(bound);
        } catch (Throwable e) { // whatever failed (an Error too): never leave the bound port taking connections
            bound.close();
            closeQuietly();
            server = null;
            throw e;
        }
        return this;
    }

    /** Everything after the bind; the caller closes the port if this throws. */
    private void startBound(java.nio.channels.ServerSocketChannel bound)
            throws IOException, GeneralSecurityException, InterruptedException {
        // Three things at once: the TLS engine (BoringSSL's native library and Netty's probing of it: ~0.3 s
        // in a fresh sidecar, the longest part of its boot) on a thread of its own, the CA (key generation,
        // BouncyCastle) on another once the routes are known good, and on this one the routes and Netty.
        // TlsContexts below waits for the engine through its class initialisation.
        Thread engine = new Thread(TlsEngine::provider, "egress-tls-engine");
        engine.setDaemon(true);
        engine.start();
        RoutesConfig routes = RoutesWatcher.load(b.routesFile); // invalid: never serve (waiting connections are reset)
        java.util.concurrent.CompletableFuture<BottleCa> caMade = new java.util.concurrent.CompletableFuture<>();
        Thread maker = new Thread(() -> {
            try {
                caMade.complete(BottleCa.loadOrCreate(b.stateDir, BottleCa.commonNameFor(b.stateDir)));
            } catch (Throwable e) {
                caMade.completeExceptionally(e);
            }
        }, "egress-ca");
        maker.setDaemon(true);
        maker.start();
        ProxyState[] stRef = new ProxyState[1];
        group = new MultiThreadIoEventLoopGroup(b.ioThreads, new DefaultThreadFactory("egress-io", true),
                NioIoHandler.newFactory());
        ServerBootstrap sb = new ServerBootstrap().group(group)
                .channelFactory(() -> new NioServerSocketChannel(bound))
                .option(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ProxyState st = stRef[0]; // set before the first accept (auto-read is off until then)
                        ClientHandler[] h = new ClientHandler[1];
                        HeadGuard guard = new HeadGuard(st.limits.maxHeaderBytes(), st.limits.headTimeout().toMillis(),
                                (ctx, reason) -> h[0].headViolation(reason));
                        ClientHandler.Decoder decoder = new ClientHandler.Decoder(st.limits.maxHeaderBytes());
                        h[0] = new ClientHandler(st, guard, decoder);
                        ch.pipeline().addLast("idle", new IdleStateHandler(st.limits.idleTimeout().toMillis(), 0, 0,
                                TimeUnit.MILLISECONDS));
                        ch.pipeline().addLast("guard", guard);
                        ch.pipeline().addLast("decoder", decoder);
                        ch.pipeline().addLast("encoder", new HttpResponseEncoder());
                        ch.pipeline().addLast("client", h[0]);
                    }
                });
        server = sb.register().sync().channel(); // already bound: registering only adopts it
        EgressLog[] logRef = new EgressLog[1];
        {
            TlsContexts tls = new TlsContexts(caMade::join, b.upstreamCa);
            AtomicInteger n = new AtomicInteger();
            int threads = b.workerThreads > 0 ? b.workerThreads : Math.max(2, Runtime.getRuntime().availableProcessors());
            workers = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(4096), r -> {
                Thread t = new Thread(r, "egress-worker-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            }, new ThreadPoolExecutor.AbortPolicy());
            logRef[0] = new EgressLog(b.logSink, () -> stRef[0] == null ? routes.log() : stRef[0].routes.log());
            ProxyState st = new ProxyState(routes, tls, b.pins, b.env, b.scanner, b.hold, logRef[0], workers,
                    new ProxyState.Limits(b.maxRequestBody, b.maxResponseBody, b.maxHeaderBytes, b.headTimeout,
                            b.idleTimeout, b.upstreamTimeout, b.connectTimeout));
            stRef[0] = st;
            state = st;
            ca = awaitCa(caMade); // before the first accept: a serving proxy always has its CA on disk
            b.beforeAccept.accept(address());
        }
        ProxyState st = stRef[0];
        watcher = new RoutesWatcher(b.routesFile, routes, r -> st.routes = r, logRef[0], b.reloadInterval);
        watcher.start();
        if (b.handleSighup) {
            RoutesWatcher.onSighup(watcher::requestReload);
        }
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("listen", address().getHostString() + ":" + address().getPort());
        f.put("log", routes.log().yaml());
        f.put("routes", routes.routes().size());
        f.put("ca", ca.certificatePath().toString());
        f.put("tls", TlsEngine.describe());
        // vector: the JVM has jdk.incubator.vector (the launcher adds it); scalar: same results, slower
        f.put("literal_search", bot.bottle.api.text.LiteralSet.vectorised() ? "vector" : "scalar");
        logRef[0].lifecycle("egress_start", f);
        if (!b.holdAccepts) {
            acceptNow();
        }
    }

    /**
     * Starts accepting connections, beginning with those that waited in the backlog since the bind.
     * Called by {@link #start()} unless the builder asked to hold accepts; idempotent.
     */
    public synchronized void acceptNow() {
        Channel ch = server;
        if (ch != null) {
            ch.config().setAutoRead(true);
        }
    }

    private BottleCa awaitCa(java.util.concurrent.CompletableFuture<BottleCa> made)
            throws IOException, GeneralSecurityException, InterruptedException {
        try {
            return made.get();
        } catch (java.util.concurrent.ExecutionException e) {
            closeQuietly();
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof GeneralSecurityException gs) {
                throw gs;
            }
            throw new IOException("cannot create the bottle CA: " + c, c);
        }
    }

    /** The bound address (the real port when 0 was asked for). */
    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    /** {@code <state>/ca.crt}. */
    public Path caCertificate() {
        return ca.certificatePath();
    }

    /** The routes in force. */
    public RoutesConfig routes() {
        return state.routes;
    }

    /** Checks the routes file now (as SIGHUP does); true when a new file was applied. */
    public boolean reloadNow() {
        return watcher.checkNow(true);
    }

    /** Blocks until the listener closes (the Gogo command runs until interrupted). */
    public void awaitClose() throws InterruptedException {
        server.closeFuture().sync();
    }

    @Override
    public synchronized void close() {
        closeQuietly();
    }

    private void closeQuietly() {
        if (watcher != null) {
            watcher.close();
        }
        if (server != null) {
            server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        }
        if (workers != null) {
            workers.shutdownNow();
        }
    }

    /** Configuration; every setting has a safe default except the two paths. */
    public static final class Builder {
        private Path routesFile;
        private Path stateDir;
        private InetSocketAddress listen = new InetSocketAddress("127.0.0.1", 9099);
        private java.nio.channels.ServerSocketChannel listener;
        private Path upstreamCa;
        private Consumer<InetSocketAddress> beforeAccept = a -> { };
        private boolean holdAccepts;
        private final List<ResolvePin> pins = new ArrayList<>();
        private Function<String, String> env = System::getenv;
        private Supplier<DlpScanner> scanner = () -> null;
        private HoldDecider hold = HoldDecider.DENY;
        private Consumer<String> logSink = line -> System.err.println(line);
        private int maxRequestBody = 8 << 20;
        private int maxResponseBody = 32 << 20;
        private int maxHeaderBytes = 64 << 10;
        private Duration headTimeout = Duration.ofSeconds(10);
        private Duration idleTimeout = Duration.ofSeconds(120);
        private Duration upstreamTimeout = Duration.ofSeconds(120);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration reloadInterval = Duration.ofMillis(250);
        private boolean handleSighup;
        private int ioThreads;
        private int workerThreads;

        public Builder routesFile(Path p) {
            this.routesFile = p;
            return this;
        }

        public Builder stateDir(Path p) {
            this.stateDir = p;
            return this;
        }

        public Builder listen(InetSocketAddress a) {
            this.listen = Objects.requireNonNull(a);
            return this;
        }

        /**
         * A socket already bound to the {@link #listen} address (by the sidecar's kernel, before the
         * framework started), served instead of binding one; the server owns it from here on and closes it
         * whenever it cannot serve.
         */
        public Builder listener(java.nio.channels.ServerSocketChannel bound) {
            this.listener = bound;
            return this;
        }

        /** An extra PEM bundle trusted for upstream TLS, besides the system store. */
        public Builder upstreamCa(Path p) {
            this.upstreamCa = p;
            return this;
        }

        public Builder resolve(ResolvePin pin) {
            this.pins.add(pin);
            return this;
        }

        /** Where token values come from (the process environment by default). */
        public Builder env(Function<String, String> lookup) {
            this.env = Objects.requireNonNull(lookup);
            return this;
        }

        /** The DLP engine, looked up per request (so an OSGi service may come and go). */
        public Builder scanner(Supplier<DlpScanner> s) {
            this.scanner = Objects.requireNonNull(s);
            return this;
        }

        public Builder holdDecider(HoldDecider h) {
            this.hold = Objects.requireNonNull(h);
            return this;
        }

        /** Receives each JSON log line (stderr by default). */
        public Builder logSink(Consumer<String> sink) {
            this.logSink = Objects.requireNonNull(sink);
            return this;
        }

        public Builder maxRequestBody(int bytes) {
            this.maxRequestBody = bytes;
            return this;
        }

        public Builder maxResponseBody(int bytes) {
            this.maxResponseBody = bytes;
            return this;
        }

        public Builder maxHeaderBytes(int bytes) {
            this.maxHeaderBytes = bytes;
            return this;
        }

        /** How long a request head may take to arrive once it started. */
        public Builder headTimeout(Duration d) {
            this.headTimeout = d;
            return this;
        }

        /** Idle agent connection, and the time a whole request (head and body) may take. */
        public Builder idleTimeout(Duration d) {
            this.idleTimeout = d;
            return this;
        }

        public Builder upstreamTimeout(Duration d) {
            this.upstreamTimeout = d;
            return this;
        }

        public Builder connectTimeout(Duration d) {
            this.connectTimeout = d;
            return this;
        }

        public Builder reloadInterval(Duration d) {
            this.reloadInterval = d;
            return this;
        }

        /**
         * Whether {@link #start()} leaves the bound port not accepting (connections wait in the backlog)
         * until {@link #acceptNow()}: the sidecar serves only once its whole kernel runs.
         */
        public Builder holdAccepts(boolean hold) {
            this.holdAccepts = hold;
            return this;
        }

        /** Tests: runs with the bound address after the bind and before the first accept. */
        Builder beforeAccept(Consumer<InetSocketAddress> hook) {
            this.beforeAccept = hook;
            return this;
        }

        /** Reload on SIGHUP too (standalone and sidecar; not in tests sharing a JVM). */
        public Builder handleSighup(boolean on) {
            this.handleSighup = on;
            return this;
        }

        public Builder ioThreads(int n) {
            this.ioThreads = n;
            return this;
        }

        public Builder workerThreads(int n) {
            this.workerThreads = n;
            return this;
        }

        public EgressServer build() {
            Objects.requireNonNull(routesFile, "routesFile");
            Objects.requireNonNull(stateDir, "stateDir");
            return new EgressServer(this);
        }
    }
}
