package bot.bottle.gitgate.gate;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.transport.ReceivePack;

import com.sun.net.httpserver.HttpServer;

import bot.bottle.api.approval.ProposalQueue;
import bot.bottle.api.dlp.DlpScanner;
import bot.bottle.api.dlp.KnownSecrets;

/**
 * The running gate: one smart-HTTP server for all of the bottle's remotes.
 *
 * <p>Why the JDK's HTTP server and not JGit's {@code GitServlet}: the servlet needs a servlet container
 * (Jetty and its bundles in the sidecar) for three fixed endpoints; the JDK server is already there, and
 * JGit's {@code UploadPack}/{@code ReceivePack} speak stateless RPC directly, which is all
 * {@code GitServlet} does on top of a container. Requests run on a bounded worker pool (a push waiting for
 * an operator holds one worker).
 */
public final class GitGate implements Closeable {

    private final GateConfig config;
    private final Map<String, GateRepo> repos;
    private final HttpServer server;
    private final ExecutorService workers;
    private final ExecutorService scanPool;

    private GitGate(GateConfig config, Map<String, GateRepo> repos, HttpServer server, ExecutorService workers,
            ExecutorService scanPool) {
        this.config = config;
        this.repos = repos;
        this.server = server;
        this.workers = workers;
        this.scanPool = scanPool;
    }

    /**
     * Opens (or creates) the bare repositories and starts serving.
     *
     * @param engine    the shared DLP engine; read once per push (null at push time refuses the push)
     * @param approvals the supervise bundle's proposal queue; read once per push that needs an operator
     *                  (null then refuses the push)
     */
    public static GitGate start(GateConfig config, Supplier<DlpScanner> engine, Supplier<ProposalQueue> approvals)
            throws IOException {
        return start(config, engine, approvals, null);
    }

    /**
     * As {@link #start(GateConfig, Supplier, Supplier)} on a server already bound to the config's address
     * (the sidecar kernel's, see {@code KernelService#takeHttpServer}); binds one when {@code bound} is null.
     */
    public static GitGate start(GateConfig config, Supplier<DlpScanner> engine, Supplier<ProposalQueue> approvals,
            HttpServer bound) throws IOException {
        try {
            return startOn(config, engine, approvals, bound);
        } catch (IOException | RuntimeException e) {
            if (bound != null) {
                bot.bottle.kernel.api.KernelService.release(bound);
            }
            throw e;
        }
    }

    private static GitGate startOn(GateConfig config, Supplier<DlpScanner> engine, Supplier<ProposalQueue> approvals,
            HttpServer bound) throws IOException {
        Path gateDir = config.state().resolve("gitgate");
        Map<String, GateRepo> repos = new LinkedHashMap<>();
        try {
            for (RepoConfig rc : config.repos()) {
                repos.put(rc.name(), new GateRepo(rc, gateDir, config));
            }
        } catch (IOException | RuntimeException e) {
            repos.values().forEach(GateRepo::close);
            throw e;
        }
        Supplier<KnownSecrets> known = knownSecrets(config, engine);
        ExecutorService scanPool = Executors.newFixedThreadPool(2, threads("gitgate-scan"));
        ExecutorService workers = Executors.newFixedThreadPool(16, threads("gitgate-http"));
        HttpServer server;
        try {
            server = bound != null ? bound : HttpServer.create(config.listen(), 64);
        } catch (IOException e) {
            repos.values().forEach(GateRepo::close);
            scanPool.shutdownNow();
            workers.shutdownNow();
            throw new IOException("cannot listen on " + config.listen().getHostString() + ":"
                    + config.listen().getPort() + ": " + e.getMessage(), e);
        }
        SmartHttp http = new SmartHttp(repos, repo -> {
            ReceivePack rp = new ReceivePack(repo.repository());
            rp.setAllowCreates(true);
            rp.setAllowDeletes(true);
            rp.setAllowNonFastForwards(true); // the guard applies the bottle's policy against the upstream
            rp.setAllowPushOptions(true);
            rp.setAtomic(true);
            rp.setCheckReceivedObjects(true);
            rp.setMaxPackSizeLimit(config.limits().maxBytes());
            rp.setRefLogIdent(new PersonIdent("git-gate", "git-gate@bot-bottle.invalid"));
            rp.setPreReceiveHook(new PushGuard(repo, engine, known, approvals, config, scanPool));
            return rp;
        });
        server.createContext("/", http);
        server.setExecutor(workers);
        server.start();
        return new GitGate(config, repos, server, workers, scanPool);
    }

    /** Compiled once: values of the configured environment variables, which must never be pushed. */
    private static Supplier<KnownSecrets> knownSecrets(GateConfig config, Supplier<DlpScanner> engine) {
        if (config.knownSecretEnv().isEmpty()) {
            return () -> null;
        }
        return new Supplier<>() {
            private DlpScanner compiledFor;
            private KnownSecrets compiled;

            @Override
            public synchronized KnownSecrets get() {
                DlpScanner e = engine.get();
                if (e == null) {
                    return null;
                }
                if (e != compiledFor) {
                    Map<String, String> named = new LinkedHashMap<>();
                    for (String env : config.knownSecretEnv()) {
                        String v = System.getenv(env);
                        if (v != null && !v.isEmpty()) {
                            named.put(env, v);
                        }
                    }
                    compiled = e.knownSecrets(named, "");
                    compiledFor = e;
                }
                return compiled;
            }
        };
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    public GateConfig config() {
        return config;
    }

    /** The URL the agent uses for a repo. */
    public String url(String repo) {
        InetSocketAddress a = address();
        return "http://" + a.getHostString() + ":" + a.getPort() + "/" + repo;
    }

    /** The gate's bare repository for a repo (tests and diagnostics). */
    public Path bareRepo(String repo) {
        return config.state().resolve("gitgate").resolve(repo + ".git");
    }

    @Override
    public void close() {
        server.stop(0);
        workers.shutdownNow();
        scanPool.shutdownNow();
        try {
            workers.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        repos.values().forEach(GateRepo::close);
    }
}
