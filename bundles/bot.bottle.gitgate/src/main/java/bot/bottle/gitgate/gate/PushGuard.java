package bot.bottle.gitgate.gate;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevObject;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.PreReceiveHook;
import org.eclipse.jgit.transport.ReceiveCommand;
import org.eclipse.jgit.transport.ReceivePack;
import org.eclipse.jgit.transport.RemoteRefUpdate;

import bot.bottle.api.approval.ProposalQueue;
import bot.bottle.api.dlp.DlpScanner;
import bot.bottle.api.dlp.KnownSecrets;
import bot.bottle.gitgate.scan.ExternalGitleaks;
import bot.bottle.gitgate.scan.PushFinding;
import bot.bottle.gitgate.scan.PushScanner;
import bot.bottle.gitgate.scan.ScanFailure;
import bot.bottle.gitgate.scan.ScanLimits;
import bot.bottle.gitgate.scan.ScanReport;

/**
 * The gate's pre-receive hook: the pushed objects are in the gate's bare repository, no ref has moved yet.
 *
 * <ol>
 * <li>open a push connection to the upstream; its advertisement is the upstream's current refs</li>
 * <li>apply the ref policy (stale old values, force-pushes and deletions)</li>
 * <li>scan everything new relative to those refs through the DLP engine (and gitleaks if configured)</li>
 * <li>ask an operator about {@code gitleaks:allow} findings, waiting for the decision</li>
 * <li>forward all refs in one atomic push with compare-and-swap old values; report the upstream's answer</li>
 * </ol>
 *
 * All or nothing: if any ref is refused, no ref is forwarded, and a ref the upstream did not take is not
 * updated in the gate's repository either. The pack sent upstream is computed by JGit against the same
 * advertisement the scan used, so exactly the scanned objects leave.
 */
final class PushGuard implements PreReceiveHook {

    private static final Logger LOG = Logger.getLogger(PushGuard.class.getName());

    private final GateRepo repo;
    private final Supplier<DlpScanner> engine;
    private final Supplier<KnownSecrets> known;
    private final Supplier<ProposalQueue> approvals;
    private final GateConfig config;
    private final ExecutorService scanPool;

    PushGuard(GateRepo repo, Supplier<DlpScanner> engine, Supplier<KnownSecrets> known,
            Supplier<ProposalQueue> approvals, GateConfig config, ExecutorService scanPool) {
        this.repo = repo;
        this.engine = engine;
        this.known = known;
        this.approvals = approvals;
        this.config = config;
        this.scanPool = scanPool;
    }

    @Override
    public void onPreReceive(ReceivePack rp, Collection<ReceiveCommand> commands) {
        List<ReceiveCommand> cmds = List.copyOf(commands);
        if (cmds.isEmpty()) {
            return;
        }
        Session s = new Session(rp, cmds);
        try {
            s.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "git gate: push to " + repo.name() + " failed", e);
            s.refuse("internal error in the gate (" + e.getClass().getSimpleName() + "); nothing was forwarded");
        }
    }

    /** One push. */
    private final class Session {
        final ReceivePack rp;
        final List<ReceiveCommand> cmds;
        final List<PushFinding> logged = new ArrayList<>();
        String approvalRequest = "";

        Session(ReceivePack rp, List<ReceiveCommand> cmds) {
            this.rp = rp;
            this.cmds = cmds;
        }

        void say(String line) {
            rp.sendMessage(line);
        }

        void refuse(String reason) {
            for (ReceiveCommand c : cmds) {
                if (c.getResult() == ReceiveCommand.Result.NOT_ATTEMPTED) {
                    c.setResult(ReceiveCommand.Result.REJECTED_OTHER_REASON, reason);
                }
            }
            repo.log().append(repo.name(), cmds, "refused: " + reason, logged, approvalRequest);
        }

        void run() {
            for (ReceiveCommand c : rp.getAllCommands()) {
                if (c.getResult() != ReceiveCommand.Result.NOT_ATTEMPTED) {
                    refuse("not forwarded: another ref in this push was refused");
                    return;
                }
            }
            List<String> options = rp.getPushOptions() == null ? List.of() : List.copyOf(rp.getPushOptions());
            Repository db = repo.repository();
            Upstream.Push push;
            try {
                push = repo.upstream().openPush(db, options);
            } catch (IOException | RuntimeException e) {
                say(Messages.PREFIX + "cannot reach the upstream " + repo.upstream().display() + ": " + oneLine(e));
                refuse("upstream unreachable; nothing was forwarded");
                return;
            }
            try {
                Map<String, Ref> advertised = push.connection().getRefsMap();
                Optional<String> policy = policy(db, advertised);
                if (policy.isPresent()) {
                    say(Messages.PREFIX + policy.get());
                    refuse(policy.get());
                    return;
                }
                Set<ObjectId> haves = haves(advertised);
                ScanReport report;
                try {
                    report = scan(db, haves, options);
                } catch (ScanFailure e) {
                    say(Messages.PREFIX + "push refused: the scan did not complete (" + e.getMessage() + ")");
                    refuse("scan failed; nothing was forwarded");
                    return;
                }
                logged.addAll(report.findings());
                if (!report.blocking().isEmpty()) {
                    Messages.blocked(report.blocking()).forEach(this::say);
                    refuse("secret found; see the messages above");
                    return;
                }
                if (!report.suppressed().isEmpty()) {
                    // do not hold the upstream connection open while a human decides
                    push.close();
                    push = null;
                    if (!approved(report.suppressed())) {
                        return;
                    }
                    try {
                        push = repo.upstream().openPush(db, options);
                    } catch (IOException | RuntimeException e) {
                        say(Messages.PREFIX + "cannot reach the upstream " + repo.upstream().display() + ": "
                                + oneLine(e));
                        refuse("upstream unreachable after approval; nothing was forwarded");
                        return;
                    }
                    Map<String, Ref> now = push.connection().getRefsMap();
                    if (!same(advertised, now)) {
                        say(Messages.PREFIX + "the upstream changed while the approval was pending; push again");
                        refuse("upstream changed during approval; nothing was forwarded");
                        return;
                    }
                }
                forward(db, push, advertised);
            } finally {
                if (push != null) {
                    push.close();
                }
            }
        }

        /** Stale old values, then force-push and deletion rules. */
        Optional<String> policy(Repository db, Map<String, Ref> advertised) {
            Set<String> created;
            try {
                created = repo.created().read();
            } catch (IOException e) {
                return Optional.of("cannot read the gate's ref state (" + e.getMessage() + ")");
            }
            Set<String> protectedRefs = repo.protectedBranches();
            try (RevWalk rw = new RevWalk(db)) {
                for (ReceiveCommand c : cmds) {
                    String ref = c.getRefName();
                    ObjectId up = upstreamValue(advertised, ref);
                    if (!up.equals(c.getOldId())) {
                        return Optional.of("the upstream's " + ref + " has moved since your last fetch: run "
                                + "'git fetch' (or 'git pull --rebase') and push again");
                    }
                    boolean delete = c.getType() == ReceiveCommand.Type.DELETE;
                    boolean rewrite = !delete && !ObjectId.zeroId().equals(up) && !fastForward(rw, up, c.getNewId());
                    if (!delete && !rewrite) {
                        continue;
                    }
                    String what = delete ? "deleting" : "force-pushing (non-fast-forward)";
                    if (protectedRefs.contains(ref)) {
                        return Optional.of(what + " the default branch " + ref + " is refused");
                    }
                    if (repo.config().force() == RepoConfig.ForcePolicy.NEVER) {
                        return Optional.of(what + " " + ref + " is refused by this bottle's policy");
                    }
                    if (!created.contains(ref)) {
                        return Optional.of(what + " " + ref + " is refused: only refs the agent created through "
                                + "the gate may be rewritten or deleted");
                    }
                }
            } catch (IOException e) {
                return Optional.of("cannot check the push against the upstream (" + e.getMessage() + ")");
            }
            return Optional.empty();
        }

        ScanReport scan(Repository db, Set<ObjectId> haves, List<String> options) throws ScanFailure {
            DlpScanner dlp = engine.get();
            if (dlp == null) {
                throw new ScanFailure("no DLP engine is active");
            }
            List<ObjectId> tips = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (ReceiveCommand c : cmds) {
                names.add(c.getRefName());
                if (c.getType() != ReceiveCommand.Type.DELETE) {
                    tips.add(c.getNewId());
                }
            }
            ScanLimits limits = config.limits();
            Future<ScanReport> f = scanPool.submit(() -> new PushScanner(dlp, config.detectors(), known.get(), limits)
                    .scan(db, tips, haves, names, options));
            ScanReport report;
            try {
                report = f.get(limits.timeout().toMillis() + 5_000, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                f.cancel(true);
                throw new ScanFailure("the scan did not finish within " + limits.timeout().toSeconds() + " s");
            } catch (InterruptedException e) {
                f.cancel(true);
                Thread.currentThread().interrupt();
                throw new ScanFailure("interrupted");
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof ScanFailure sf) {
                    throw sf;
                }
                throw new ScanFailure(String.valueOf(c), c);
            }
            LOG.fine(() -> "git gate: scanned " + report.commits() + " commits, " + report.objects() + " objects, "
                    + report.bytes() + " bytes in " + report.took().toMillis() + " ms");
            GateConfig.ExternalGitleaks gl = config.gitleaks();
            if (gl.mode() == GateConfig.GitleaksMode.OFF) {
                return report;
            }
            ExternalGitleaks ext = new ExternalGitleaks(gl.command(), gl.timeout());
            Optional<Path> bin = ext.locate();
            if (bin.isEmpty()) {
                if (gl.mode() == GateConfig.GitleaksMode.ON) {
                    throw new ScanFailure("gitleaks is required by the gate's config but '" + gl.command()
                            + "' was not found");
                }
                return report;
            }
            List<PushFinding> all = new ArrayList<>(report.findings());
            all.addAll(ext.scan(bin.get(), db.getDirectory().toPath(), tips, haves));
            return new ScanReport(all, report.commits(), report.objects(), report.bytes(), report.took());
        }

        boolean approved(List<PushFinding> suppressed) {
            Messages.suppressed(suppressed).forEach(this::say);
            Path queue = config.queue();
            if (queue == null) {
                say(Messages.PREFIX + "cannot route the gitleaks:allow finding to a supervisor (supervise is off)");
                refuse("gitleaks:allow needs an operator and there is none; nothing was forwarded");
                return false;
            }
            String refs = String.join(", ", cmds.stream().map(ReceiveCommand::getRefName).toList());
            // read once per push: the service is a dynamic reference and may come or go at any time
            GitleaksAllow.Decision o = GitleaksAllow.ask(approvals.get(), queue, config.slug(),
                    config.allowTimeout(), refs, suppressed, line -> say(Messages.PREFIX + line));
            approvalRequest = o.request();
            say(Messages.PREFIX + o.detail());
            if (!o.approved()) {
                refuse(o.detail());
                return false;
            }
            LOG.info(() -> "git gate: " + repo.name() + ": gitleaks-allow for push " + o.request() + " approved");
            return true;
        }

        void forward(Repository db, Upstream.Push push, Map<String, Ref> advertised) {
            Map<String, RemoteRefUpdate> updates = new LinkedHashMap<>();
            Set<String> added = new LinkedHashSet<>();
            Set<String> removed = new HashSet<>();
            try {
                for (ReceiveCommand c : cmds) {
                    ObjectId up = upstreamValue(advertised, c.getRefName());
                    boolean delete = c.getType() == ReceiveCommand.Type.DELETE;
                    RemoteRefUpdate u = new RemoteRefUpdate(db, null, delete ? null : c.getNewId(), c.getRefName(),
                            true, null, up);
                    if (c.getNewId().equals(up)) {
                        continue; // already there
                    }
                    updates.put(c.getRefName(), u);
                    if (delete) {
                        removed.add(c.getRefName());
                    } else if (ObjectId.zeroId().equals(up)) {
                        added.add(c.getRefName());
                    }
                }
            } catch (IOException e) {
                refuse("cannot prepare the upstream push (" + e.getMessage() + ")");
                return;
            }
            if (updates.isEmpty()) {
                repo.log().append(repo.name(), cmds, "up to date", logged, approvalRequest);
                return;
            }
            ByteArrayOutputStream remoteMessages = new ByteArrayOutputStream();
            try {
                push.connection().push(NullProgressMonitor.INSTANCE, updates, new CappedStream(remoteMessages));
            } catch (IOException | RuntimeException e) {
                relay(push, remoteMessages);
                say(Messages.PREFIX + "the upstream push failed: " + oneLine(e));
                say(Messages.PREFIX + "run 'git fetch' to see what the upstream has");
                refuse("upstream push failed: " + oneLine(e));
                return;
            }
            relay(push, remoteMessages);
            List<String> failed = new ArrayList<>();
            for (ReceiveCommand c : cmds) {
                RemoteRefUpdate u = updates.get(c.getRefName());
                if (u == null) {
                    continue;
                }
                RemoteRefUpdate.Status st = u.getStatus();
                if (st != RemoteRefUpdate.Status.OK && st != RemoteRefUpdate.Status.UP_TO_DATE) {
                    String why = "upstream rejected: " + st.name().toLowerCase(java.util.Locale.ROOT)
                            + (u.getMessage() == null ? "" : " (" + u.getMessage() + ")");
                    failed.add(c.getRefName() + ": " + why);
                }
            }
            if (!failed.isEmpty()) {
                failed.forEach(f -> say(Messages.PREFIX + f));
                refuse(failed.get(0));
                return;
            }
            try {
                repo.created().update(added, removed);
            } catch (IOException e) {
                LOG.warning("git gate: cannot record created refs for " + repo.name() + ": " + e.getMessage());
            }
            repo.log().append(repo.name(), cmds, "forwarded", logged, approvalRequest);
        }

        private void relay(Upstream.Push push, ByteArrayOutputStream sideband) {
            String text = sideband.toString(StandardCharsets.UTF_8);
            String msgs = push.connection().getMessages();
            Set<String> seen = new HashSet<>();
            for (String block : new String[] {text, msgs == null ? "" : msgs}) {
                for (String line : block.split("[\r\n]+")) {
                    String l = line.strip();
                    if (!l.isEmpty() && seen.add(l)) {
                        say("upstream: " + bot.bottle.gitgate.scan.Redactor.clean(l));
                    }
                }
            }
        }
    }

    static ObjectId upstreamValue(Map<String, Ref> advertised, String ref) {
        Ref r = advertised.get(ref);
        return r == null || r.getObjectId() == null ? ObjectId.zeroId() : r.getObjectId();
    }

    static Set<ObjectId> haves(Map<String, Ref> advertised) {
        Set<ObjectId> s = new LinkedHashSet<>();
        for (Ref r : advertised.values()) {
            if (r.getObjectId() != null) {
                s.add(r.getObjectId());
            }
            if (r.getPeeledObjectId() != null) {
                s.add(r.getPeeledObjectId());
            }
        }
        return s;
    }

    private static boolean same(Map<String, Ref> a, Map<String, Ref> b) {
        if (!a.keySet().equals(b.keySet())) {
            return false;
        }
        for (Map.Entry<String, Ref> e : a.entrySet()) {
            if (!upstreamValue(a, e.getKey()).equals(upstreamValue(b, e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    private static boolean fastForward(RevWalk rw, ObjectId oldId, ObjectId newId) throws IOException {
        RevObject o;
        RevObject n;
        try {
            o = rw.parseAny(oldId);
            n = rw.parseAny(newId);
        } catch (org.eclipse.jgit.errors.MissingObjectException e) {
            return false;
        }
        return o instanceof RevCommit oc && n instanceof RevCommit nc && rw.isMergedInto(oc, nc);
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            m = e.getClass().getSimpleName();
        }
        int nl = m.indexOf('\n');
        return bot.bottle.gitgate.scan.Redactor.clean(nl < 0 ? m : m.substring(0, nl));
    }

    /** Keeps at most 64 KiB of upstream sideband text. */
    private static final class CappedStream extends java.io.OutputStream {
        private final ByteArrayOutputStream out;

        CappedStream(ByteArrayOutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) {
            if (out.size() < 64 << 10) {
                out.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            int room = (64 << 10) - out.size();
            if (room > 0) {
                out.write(b, off, Math.min(room, len));
            }
        }
    }

    static Duration seconds(long s) {
        return Duration.ofSeconds(s);
    }
}
