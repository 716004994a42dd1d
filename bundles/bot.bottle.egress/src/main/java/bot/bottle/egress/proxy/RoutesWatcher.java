package bot.bottle.egress.proxy;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import bot.bottle.egress.routes.RoutesConfig;
import bot.bottle.egress.routes.RoutesException;
import bot.bottle.egress.routes.RoutesParser;

/**
 * Live reload of {@code routes.yaml}: polls size and modification time (every 250 ms by default) and
 * compares a SHA-256 of the content, so an edit that keeps the mtime is seen on the next SIGHUP and an
 * unchanged rewrite is ignored. A file that fails to parse is rejected with its one-line reason in the
 * log, and the routes in force stay.
 */
final class RoutesWatcher implements AutoCloseable {
    private final Path file;
    private final Consumer<RoutesConfig> apply;
    private final EgressLog log;
    private final ScheduledExecutorService timer;
    private final Duration interval;
    private String appliedHash;
    private String rejectedHash;
    private long lastSize = -1;
    private long lastMtime = -1;
    private volatile boolean forced;

    RoutesWatcher(Path file, RoutesConfig initial, Consumer<RoutesConfig> apply, EgressLog log, Duration interval)
            throws IOException {
        this.file = file;
        this.apply = apply;
        this.log = log;
        this.interval = interval;
        this.appliedHash = sha256(Files.readString(file, StandardCharsets.UTF_8));
        stat();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "egress-routes-watch");
            t.setDaemon(true);
            return t;
        });
    }

    /** Reads and parses a routes file; the error names the file and the key path. */
    static RoutesConfig load(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IOException(file + ": no such routes file");
        }
        try {
            return RoutesParser.parse(text);
        } catch (RoutesException e) {
            throw new RoutesException(file + ": " + e.getMessage());
        }
    }

    void start() {
        long ms = Math.max(10, interval.toMillis());
        timer.scheduleWithFixedDelay(() -> checkNow(false), ms, ms, TimeUnit.MILLISECONDS);
    }

    /** SIGHUP: check on the next tick even if size and mtime look unchanged. */
    void requestReload() {
        forced = true;
        timer.execute(() -> checkNow(false));
    }

    /** Checks the file; returns true when a new routes file was applied. */
    synchronized boolean checkNow(boolean force) {
        try {
            boolean changed = stat();
            if (!changed && !force && !forced) {
                return false;
            }
            forced = false;
            String text = Files.readString(file, StandardCharsets.UTF_8);
            String hash = sha256(text);
            if (hash.equals(appliedHash) || hash.equals(rejectedHash)) {
                return false;
            }
            RoutesConfig next;
            try {
                next = RoutesParser.parse(text);
            } catch (RoutesException e) {
                rejectedHash = hash;
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("file", file.toString());
                f.put("reason", e.getMessage());
                log.lifecycle("egress_reload_rejected", f);
                return false;
            }
            apply.accept(next);
            appliedHash = hash;
            rejectedHash = null;
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("file", file.toString());
            f.put("routes", next.routes().size());
            f.put("log", next.log().yaml());
            f.put("sha256", hash.substring(0, 16));
            log.lifecycle("egress_reload", f);
            return true;
        } catch (IOException e) {
            String hash = "io:" + e.getClass().getSimpleName();
            if (!hash.equals(rejectedHash)) {
                rejectedHash = hash;
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("file", file.toString());
                f.put("reason", "cannot read the routes file (" + e.getClass().getSimpleName() + "); routes kept");
                log.lifecycle("egress_reload_rejected", f);
            }
            return false;
        } catch (RuntimeException e) {
            return false; // never let the timer die
        }
    }

    private boolean stat() throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
        long size = a.size();
        long mtime = a.lastModifiedTime().toMillis();
        boolean changed = size != lastSize || mtime != lastMtime;
        lastSize = size;
        lastMtime = mtime;
        return changed;
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    /**
     * Installs a SIGHUP handler through {@code sun.misc.Signal} when the JVM offers it (reflection: the
     * class is not part of the Java SE API; loaded through the system class loader so the bundle needs no
     * import of it).
     */
    static boolean onSighup(Runnable action) {
        try {
            // Through the system loader: inside OSGi the bundle imports nothing from sun.misc.
            ClassLoader sys = ClassLoader.getSystemClassLoader();
            Class<?> signal = sys.loadClass("sun.misc.Signal");
            Class<?> handler = sys.loadClass("sun.misc.SignalHandler");
            Object h = Proxy.newProxyInstance(handler.getClassLoader(), new Class<?>[] {handler}, (p, m, args) -> {
                if (m.getName().equals("handle")) {
                    action.run();
                }
                return null;
            });
            Object hup = signal.getConstructor(String.class).newInstance("HUP");
            signal.getMethod("handle", signal, handler).invoke(null, hup, h);
            return true;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return false;
        }
    }
}
