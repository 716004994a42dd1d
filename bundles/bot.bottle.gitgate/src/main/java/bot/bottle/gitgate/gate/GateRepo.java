package bot.bottle.gitgate.gate;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import org.eclipse.jgit.internal.storage.file.FileRepository;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.transport.FetchResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.transport.Transport;

/**
 * One declared remote: the gate's bare repository ({@code <state>/gitgate/<name>.git}), mirroring the
 * upstream's branches, tags and notes, and the way to the upstream. The agent clones and fetches from
 * the mirror and pushes into it; the {@link PushGuard} decides what moves.
 */
final class GateRepo implements Closeable {

    private static final List<RefSpec> MIRROR = List.of(new RefSpec("+refs/heads/*:refs/heads/*"),
            new RefSpec("+refs/tags/*:refs/tags/*"), new RefSpec("+refs/notes/*:refs/notes/*"));

    private final RepoConfig config;
    private final Repository repository;
    private final Upstream upstream;
    private final CreatedRefs created;
    private final PushLog log;
    private final ReentrantLock lock = new ReentrantLock(true);

    GateRepo(RepoConfig config, Path gateDir, GateConfig gate) throws IOException {
        this.config = config;
        Path dir = gateDir.resolve(config.name() + ".git");
        Files.createDirectories(gateDir);
        FileRepository r = new FileRepository(dir.toFile());
        if (!Files.exists(dir.resolve("config"))) {
            r.create(true);
        }
        StoredConfig c = r.getConfig();
        // objects the agent sends must be well-formed (JGit's fsck), and nothing is ever auto-gc'd mid-push
        c.setBoolean("receive", null, "fsckObjects", true);
        c.setInt("gc", null, "auto", 0);
        c.save();
        this.repository = r;
        this.upstream = new Upstream(config, gateDir.resolve("ssh-home"), gate.upstreamTimeout());
        this.created = new CreatedRefs(gateDir.resolve(config.name() + ".created-refs"));
        this.log = new PushLog(gateDir.resolve("push-log.jsonl"));
    }

    String name() {
        return config.name();
    }

    RepoConfig config() {
        return config;
    }

    Repository repository() {
        return repository;
    }

    Upstream upstream() {
        return upstream;
    }

    CreatedRefs created() {
        return created;
    }

    PushLog log() {
        return log;
    }

    ReentrantLock lock() {
        return lock;
    }

    /**
     * Brings the mirror up to the upstream's current refs (deleted upstream refs are pruned) and points
     * HEAD where the upstream's HEAD points, so a clone checks out the right default branch.
     *
     * @return false when a push holds the repository and the refresh was skipped
     */
    boolean refresh() throws IOException {
        boolean locked;
        try {
            locked = lock.tryLock(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        if (!locked) {
            return false;
        }
        try (Transport t = upstream.fetchTransport(repository)) {
            t.setRemoveDeletedRefs(true);
            t.setTagOpt(TagOpt.NO_TAGS);
            FetchResult r = t.fetch(NullProgressMonitor.INSTANCE, MIRROR);
            Ref head = r.getAdvertisedRef(Constants.HEAD);
            if (head != null && head.isSymbolic()) {
                String target = head.getTarget().getName();
                Ref current = repository.exactRef(Constants.HEAD);
                if (current == null || !current.isSymbolic() || !current.getTarget().getName().equals(target)) {
                    RefUpdate u = repository.updateRef(Constants.HEAD);
                    u.link(target);
                }
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The default branch (configured, else the upstream's HEAD) plus main and master when not configured. */
    Set<String> protectedBranches() {
        Set<String> s = new LinkedHashSet<>();
        if (!config.defaultBranch().isEmpty()) {
            String b = config.defaultBranch();
            s.add(b.startsWith("refs/") ? b : Constants.R_HEADS + b);
            return s;
        }
        try {
            Ref head = repository.exactRef(Constants.HEAD);
            if (head != null && head.isSymbolic()) {
                s.add(head.getTarget().getName());
            }
        } catch (IOException e) {
            // fall through to the usual names
        }
        s.add(Constants.R_HEADS + "main");
        s.add(Constants.R_HEADS + "master");
        return s;
    }

    @Override
    public void close() {
        upstream.close();
        repository.close();
    }
}
