package bot.bottle.kernel;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.wiring.FrameworkWiring;

import bot.bottle.kernel.api.ContribEntry;

/**
 * Keeps the framework in step with {@code $BOT_BOTTLE_HOME/contrib/}: a new jar is verified, installed and
 * started; a replaced jar updates its bundle; a removed jar uninstalls it; all while running.
 *
 * <p>Install reads the jar's bytes once, verifies a private copy of exactly those bytes and installs
 * from them, so a file swapped between verification and install can never be what runs. A refused
 * replacement uninstalls the old bundle: what runs is always what {@code contrib/} holds and trusts.
 */
final class ContribManager {
    static final String LOCATION_PREFIX = "contrib:";
    /** A file changed more recently than this is still being written; look again later. */
    private static final long SETTLE_MILLIS = 300;

    private final Path dir;
    private final BundleContext context;
    private final ContribVerifier verifier;
    private final Log log;
    private final Path scratch;
    /** Per file: the content hash last acted on and the resulting entry. Guarded by this. */
    private final Map<String, Seen> seen = new HashMap<>();
    private volatile Thread watcher;
    private volatile WatchService watchService;

    private record Seen(String hash, ContribEntry entry) {
    }

    ContribManager(Path dir, BundleContext context, ContribVerifier verifier, Log log, Path scratch) {
        this.dir = dir;
        this.context = context;
        this.verifier = verifier;
        this.log = log;
        this.scratch = scratch;
    }

    synchronized List<ContribEntry> entries() {
        TreeMap<String, ContribEntry> sorted = new TreeMap<>();
        seen.forEach((f, s) -> sorted.put(f, s.entry()));
        return List.copyOf(sorted.values());
    }

    /** Brings the framework in line with the folder; returns true when something changed. */
    synchronized boolean reconcile() {
        boolean changed = false;
        Map<String, Path> present = new TreeMap<>();
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> jars = Files.newDirectoryStream(dir, "*.jar")) {
                for (Path p : jars) {
                    if (Files.isRegularFile(p)) {
                        present.put(p.getFileName().toString(), p);
                    }
                }
            } catch (IOException e) {
                log.warn("contrib: cannot list " + dir + ": " + e.getMessage());
                return false;
            }
        }
        for (String gone : new ArrayList<>(seen.keySet())) {
            if (!present.containsKey(gone)) {
                uninstall(gone);
                seen.remove(gone);
                log.warn("contrib: removed " + gone);
                changed = true;
            }
        }
        for (Map.Entry<String, Path> e : present.entrySet()) {
            changed |= consider(e.getKey(), e.getValue());
        }
        if (changed) {
            refresh();
        }
        return changed;
    }

    private boolean consider(String name, Path file) {
        byte[] bytes;
        try {
            long age = System.currentTimeMillis() - Files.getLastModifiedTime(file).toMillis();
            if (age < SETTLE_MILLIS) {
                // Possibly still being copied in; the watcher looks again shortly.
                seen.putIfAbsent(name, new Seen("", new ContribEntry(name, "pending", "", "", "", "")));
                return false;
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            return false; // vanished or unreadable mid-scan: the next pass decides
        }
        String hash = sha256(bytes);
        Seen before = seen.get(name);
        if (before != null && before.hash().equals(hash)) {
            return false;
        }
        ContribEntry entry = install(name, bytes);
        seen.put(name, new Seen(hash, entry));
        if (entry.state().equals("active")) {
            log.warn("contrib: " + (before != null && before.entry().state().equals("active") ? "updated " : "installed ")
                    + name + " (" + entry.bundle() + " " + entry.version() + ", signed by " + entry.signer() + ")");
        } else {
            log.warn("contrib: refused " + name + ": " + entry.reason());
        }
        return true;
    }

    private ContribEntry install(String name, byte[] bytes) {
        ContribVerifier.Verdict v;
        Path copy = null;
        try {
            Files.createDirectories(scratch);
            copy = Files.createTempFile(scratch, "verify-", ".jar");
            Files.write(copy, bytes);
            v = verifier.verify(copy);
        } catch (IOException e) {
            v = ContribVerifier.Verdict.refused("cannot verify: " + e.getMessage());
        } finally {
            if (copy != null) {
                try {
                    Files.deleteIfExists(copy);
                } catch (IOException ignored) {
                    // scratch is removed with the framework storage
                }
            }
        }
        if (!v.accepted()) {
            uninstall(name);
            return new ContribEntry(name, "refused", v.bundle(), v.version(), v.signer(), v.reason());
        }
        String location = LOCATION_PREFIX + name;
        Bundle bundle = context.getBundle(location);
        try {
            if (bundle == null) {
                for (Bundle other : context.getBundles()) {
                    if (v.bundle().equals(other.getSymbolicName()) && !location.equals(other.getLocation())) {
                        throw new BundleException("bundle " + v.bundle() + " is already installed from "
                                + other.getLocation());
                    }
                }
                bundle = context.installBundle(location, new ByteArrayInputStream(bytes));
            } else {
                bundle.update(new ByteArrayInputStream(bytes));
            }
            if (bundle.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                bundle.start();
            }
            return new ContribEntry(name, "active", v.bundle(), v.version(), v.signer(), "");
        } catch (BundleException | RuntimeException e) {
            uninstall(name);
            return new ContribEntry(name, "refused", v.bundle(), v.version(), v.signer(), describe(e));
        }
    }

    /** Felix's resolver messages are long; keep the part that names the missing requirement. */
    static String describe(Exception e) {
        String m = ContribVerifier.oneLine(e.getMessage());
        int i = m.indexOf("missing requirement");
        if (i >= 0) {
            String rest = m.substring(i);
            int filter = rest.indexOf("(&");
            int simple = rest.indexOf("; (");
            int at = filter >= 0 ? filter : simple >= 0 ? simple + 2 : -1;
            String req = at >= 0 ? rest.substring(at) : rest;
            int cut = req.indexOf(" Unresolved requirements");
            if (cut >= 0) {
                req = req.substring(0, cut);
            }
            return "unresolvable: missing requirement " + req.trim();
        }
        return "cannot start: " + m;
    }

    private void uninstall(String name) {
        Bundle b = context.getBundle(LOCATION_PREFIX + name);
        if (b != null) {
            try {
                b.uninstall();
            } catch (BundleException | IllegalStateException e) {
                log.warn("contrib: cannot uninstall " + name + ": " + e.getMessage());
            }
        }
    }

    private void refresh() {
        FrameworkWiring fw = context.getBundle(0).adapt(FrameworkWiring.class);
        Object done = new Object();
        boolean[] finished = {false};
        fw.refreshBundles(null, event -> {
            synchronized (done) {
                finished[0] = true;
                done.notifyAll();
            }
        });
        long deadline = System.currentTimeMillis() + 10_000;
        synchronized (done) {
            while (!finished[0] && System.currentTimeMillis() < deadline) {
                try {
                    done.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Watches the folder on a daemon thread; events trigger a reconcile, and a slow poll covers missed ones. */
    void startWatching() throws IOException {
        Files.createDirectories(dir);
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException | IOException ignored) {
            // best effort on non-POSIX file systems
        }
        WatchService ws = FileSystems.getDefault().newWatchService();
        dir.register(ws, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                StandardWatchEventKinds.ENTRY_DELETE);
        watchService = ws;
        Thread t = new Thread(() -> watch(ws), "bot-bottle-contrib-watcher");
        t.setDaemon(true);
        watcher = t;
        t.start();
    }

    private void watch(WatchService ws) {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                WatchKey key = ws.poll(1, TimeUnit.SECONDS);
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                    Thread.sleep(SETTLE_MILLIS); // let a copy finish before reading
                }
                try {
                    reconcile();
                } catch (RuntimeException e) {
                    log.warn("contrib: reconcile failed: " + e);
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // stopping
        }
    }

    void stop() {
        Thread t = watcher;
        if (t != null) {
            t.interrupt();
        }
        try {
            WatchService ws = watchService;
            if (ws != null) {
                ws.close();
            }
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void copyAtomically(Path from, Path to) throws IOException {
        Path tmp = to.resolveSibling(to.getFileName() + ".tmp");
        Files.copy(from, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
