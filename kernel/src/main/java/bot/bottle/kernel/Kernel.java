package bot.bottle.kernel;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.framework.wiring.FrameworkWiring;

import bot.bottle.kernel.api.ContribEntry;
import bot.bottle.kernel.api.KernelService;

/**
 * The plugin host: an embedded Felix framework that installs the distribution's bundles, then the
 * trusted bundles of {@code contrib/}, and keeps {@code contrib/} in step while it runs.
 *
 * <p>Each kernel process gets a fresh framework storage directory, removed at exit: several
 * {@code bot-bottle} commands can run at once, and nothing installed survives a process, so the next
 * start verifies {@code contrib/} again.
 */
public final class Kernel implements KernelService, AutoCloseable {

    /** Framework properties every bundle can read. */
    public static final String HOME_PROPERTY = "bot.bottle.home";
    public static final String DIST_PROPERTY = "bot.bottle.dist";

    /** File name prefix of the interactive shell bundle, installed only by {@code bot-bottle shell}. */
    static final String SHELL_BUNDLE = "org.apache.felix.gogo.jline";

    private final Path home;
    private final Path dist;
    private final Path storage;
    private org.osgi.framework.ServiceRegistration<KernelService> registration;
    private final Framework framework;
    private final Log log;
    private final Map<String, String> problems = new ConcurrentHashMap<>();
    private Listeners listeners = Listeners.none();
    private final String mode;
    private final ContribTools tools;
    private ContribManager contrib;

    /**
     * @param home        {@code $BOT_BOTTLE_HOME}
     * @param dist        the distribution folder (holding {@code bundle/})
     * @param properties  extra framework properties (for example {@code gosh.args})
     * @param logToStderr whether refusals are also printed on stderr
     */
    public Kernel(Path home, Path dist, Map<String, String> properties, boolean logToStderr) throws IOException {
        this.home = home.toAbsolutePath();
        this.dist = dist.toAbsolutePath();
        this.log = new Log(this.home, logToStderr);
        this.tools = new ContribTools(this.home);
        this.storage = Files.createTempDirectory("bot-bottle-felix-");
        Map<String, String> cfg = new HashMap<>();
        cfg.put(Constants.FRAMEWORK_STORAGE, storage.resolve("cache").toString());
        cfg.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        cfg.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, systemPackagesExtra());
        cfg.put("felix.log.level", "1");
        cfg.put(HOME_PROPERTY, this.home.toString());
        cfg.put(DIST_PROPERTY, this.dist.toString());
        cfg.putAll(properties);
        this.mode = cfg.getOrDefault(MODE, "command");
        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class, Kernel.class.getClassLoader())
                .findFirst().orElseThrow(() -> new IllegalStateException("no OSGi framework on the class path"));
        this.framework = factory.newFramework(cfg);
    }

    /**
     * Packages the system bundle exports besides the JDK's: the kernel API, and the Vector API when the JVM
     * was started with {@code --add-modules jdk.incubator.vector} (the launcher does so for its servers;
     * {@code bot.bottle.api.text.LiteralSet} imports it optionally and searches without it otherwise).
     */
    static String systemPackagesExtra() {
        String extra = "bot.bottle.kernel.api;version=1.1.0";
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            extra += ",jdk.incubator.vector";
        }
        return extra;
    }

    /** Starts the framework, the distribution bundles and {@code contrib/}; returns when all were tried. */
    public Kernel start(boolean watchContrib) throws BundleException, IOException {
        return start(watchContrib, false);
    }

    /**
     * @param shell whether the interactive Gogo JLine shell bundle is installed; one-shot commands need
     *              no terminal, and that bundle would try to open one
     */
    public Kernel start(boolean watchContrib, boolean shell) throws BundleException, IOException {
        Timing timing = Timing.fromEnv();
        timing.mark("kernel main");
        framework.init();
        BundleContext ctx = framework.getBundleContext();
        registration = ctx.registerService(KernelService.class, this, new java.util.Hashtable<>(Map.of(MODE, mode)));
        framework.start();
        List<Bundle> installed = new ArrayList<>();
        for (Path jar : bundleJars(dist.resolve("bundle"))) {
            if (!shell && jar.getFileName().toString().startsWith(SHELL_BUNDLE)) {
                continue;
            }
            try {
                // reference: avoids copying the distribution's jars into the cache on every start.
                installed.add(ctx.installBundle("reference:" + jar.toUri()));
            } catch (BundleException e) {
                if (e.getType() == BundleException.READ_ERROR || String.valueOf(e.getMessage()).contains("not a bundle")) {
                    log.info("skipping non-bundle " + jar.getFileName());
                } else {
                    problems.put(jar.getFileName().toString(), ContribVerifier.oneLine(e.getMessage()));
                }
            }
        }
        timing.mark("framework started, " + installed.size() + " bundles installed");
        ClassLoader previous = Thread.currentThread().getContextClassLoader();
        if (shell) {
            // JLine finds its terminal providers through the context class loader, and the shell is
            // opened on this thread while Gogo starts: let it see JLine's own bundle.
            ctx.getBundle(0).adapt(FrameworkWiring.class).resolveBundles(installed);
            installed.stream().filter(b -> "org.jline".equals(b.getSymbolicName())).findFirst()
                    .map(b -> b.adapt(BundleWiring.class)).filter(w -> w != null)
                    .ifPresent(w -> Thread.currentThread().setContextClassLoader(w.getClassLoader()));
        }
        try {
            // Bundles with an activator (the extenders: SCR, Gogo) first, one by one; then the bundles with
            // components, whose activation SCR now runs inside each bundle's start, on a few threads at once
            // so one slow service (the egress proxy's TLS set-up) does not hold up the rest, and the plain
            // libraries after them in the same queue: they have nothing to run when started (a component
            // bundle's start resolves what it imports anyway), so they need not delay the services.
            List<Bundle> withComponents = new ArrayList<>();
            List<Bundle> plainLibraries = new ArrayList<>();
            for (Bundle b : installed) {
                if (b.getHeaders().get(Constants.FRAGMENT_HOST) != null) {
                    continue;
                }
                if (b.getHeaders().get("Service-Component") != null) {
                    withComponents.add(b);
                } else if (b.getHeaders().get(Constants.BUNDLE_ACTIVATOR) == null) {
                    plainLibraries.add(b);
                } else {
                    startOne(b, timing);
                }
            }
            // Bundles that open the ports an agent uses (header "Bot-Bottle-Start: early") go first: a
            // bottle releases its agent once those listen.
            withComponents.sort(java.util.Comparator.comparing(b -> !"early".equals(b.getHeaders().get(START_HEADER))));
            List<Bundle> queue = new ArrayList<>(withComponents);
            queue.addAll(plainLibraries);
            startAll(queue, timing);
        } finally {
            Thread.currentThread().setContextClassLoader(previous);
        }
        timing.mark("bundles started");
        Path contribDir = home.resolve("contrib");
        contrib = new ContribManager(contribDir, ctx, new ContribVerifier(new TrustStore(home.resolve("trust"))), log,
                storage.resolve("scratch"));
        contrib.reconcile();
        if (watchContrib) {
            contrib.startWatching();
        }
        timing.mark("contrib reconciled");
        for (java.net.InetSocketAddress a : listeners.closeUnclaimed()) {
            // fail closed and say so: an agent's connection gets refused instead of waiting for nothing
            problems.put(LISTEN + " " + a.getHostString() + ":" + a.getPort(), "no service took this listener; closed");
            log.warn("listener " + a.getHostString() + ":" + a.getPort() + " (" + LISTEN
                    + ") was taken by no service; closed");
        }
        registration.setProperties(new java.util.Hashtable<>(Map.of(MODE, mode, KernelService.STARTED, Boolean.TRUE)));
        return this;
    }

    /**
     * Listening sockets to hand to services (see {@link KernelService#LISTEN}); bound by the caller before
     * the framework starts, owned by the kernel from here on.
     */
    public Kernel withListeners(Listeners bound) {
        this.listeners = bound;
        return this;
    }

    @Override
    public java.util.Optional<java.nio.channels.ServerSocketChannel> takeListener(java.net.InetSocketAddress address) {
        return listeners.takeTcp(address);
    }

    @Override
    public java.util.Optional<com.sun.net.httpserver.HttpServer> takeHttpServer(java.net.InetSocketAddress address) {
        return listeners.takeHttp(address);
    }

    /** Manifest header: {@code early} starts a component bundle before the others. */
    static final String START_HEADER = "Bot-Bottle-Start";

    private void startOne(Bundle b, Timing timing) {
        try {
            long t0 = System.nanoTime();
            b.start();
            timing.slow(b.getSymbolicName(), t0);
        } catch (BundleException | RuntimeException e) {
            problems.put(b.getSymbolicName(), e instanceof BundleException be ? ContribManager.describe(be)
                    : ContribVerifier.oneLine(String.valueOf(e.getMessage())));
        }
    }

    private void startAll(List<Bundle> bundles, Timing timing) {
        int threads = Math.min(bundles.size(), Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())));
        if (threads <= 1) {
            bundles.forEach(b -> startOne(b, timing));
            return;
        }
        ClassLoader ccl = Thread.currentThread().getContextClassLoader();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "bot-bottle-start");
            t.setDaemon(true);
            t.setContextClassLoader(ccl);
            return t;
        });
        try {
            List<java.util.concurrent.Future<?>> started = new ArrayList<>();
            for (Bundle b : bundles) {
                started.add(pool.submit(() -> startOne(b, timing)));
            }
            for (java.util.concurrent.Future<?> f : started) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    log.info("bundle start failed: " + e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        } finally {
            pool.shutdown();
        }
    }

    /** Jars in the folder, sorted by name so the install order is stable. */
    static List<Path> bundleJars(Path dir) throws IOException {
        List<Path> jars = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.jar")) {
                s.forEach(jars::add);
            }
        }
        Collections.sort(jars);
        return jars;
    }

    public BundleContext context() {
        return framework.getBundleContext();
    }

    public Framework framework() {
        return framework;
    }

    @Override
    public Path home() {
        return home;
    }

    @Override
    public List<ContribEntry> contrib() {
        return contrib == null ? List.of() : contrib.entries();
    }

    @Override
    public void rescanContrib() {
        if (contrib != null) {
            contrib.reconcile();
        }
    }

    @Override
    public Map<String, String> bundleProblems() {
        return Collections.unmodifiableMap(new TreeMap<>(problems));
    }

    @Override
    public Path keygen(String commonName, boolean force) throws Exception {
        return tools.keygen(commonName, force);
    }

    @Override
    public Path sign(Path jar, Path out) throws Exception {
        return tools.sign(jar, out);
    }

    @Override
    public Path trust(Path certificate) throws Exception {
        Path stored = tools.trust(certificate);
        rescanContrib(); // a jar refused for its signer may now be trusted
        return stored;
    }

    @Override
    public List<String> trusted() throws Exception {
        return tools.trusted();
    }

    /** Stops the framework and removes its storage. Safe to call twice. */
    @Override
    public void close() {
        if (contrib != null) {
            contrib.stop();
        }
        listeners.close();
        try {
            framework.stop();
            framework.waitForStop(5_000);
        } catch (BundleException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
        deleteTree(storage);
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException ignored) {
            // temp storage; the OS cleans it eventually
        }
    }

    /** {@code $BOT_BOTTLE_HOME}, else {@code ~/.bot-bottle}. */
    public static Path defaultHome() {
        String env = System.getenv("BOT_BOTTLE_HOME");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        return Path.of(System.getProperty("user.home"), ".bot-bottle");
    }

    /** The distribution folder: {@code -Dbot.bottle.dist}, else the folder above this jar's {@code lib/}. */
    public static Path defaultDist() {
        String prop = System.getProperty(DIST_PROPERTY);
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop);
        }
        try {
            Path jar = Path.of(Kernel.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return jar.getParent().getParent();
        } catch (Exception e) {
            return Path.of(".").toAbsolutePath();
        }
    }

}
