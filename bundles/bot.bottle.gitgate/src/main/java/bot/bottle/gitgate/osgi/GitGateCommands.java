package bot.bottle.gitgate.osgi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import bot.bottle.api.approval.ProposalQueue;
import bot.bottle.api.dlp.DlpScanner;
import bot.bottle.gitgate.gate.GateConfig;
import bot.bottle.gitgate.gate.GateFailure;
import bot.bottle.gitgate.gate.GitGate;
import bot.bottle.gitgate.gate.RepoConfig;
import bot.bottle.gitgate.gate.RepoScan;
import bot.bottle.gitgate.scan.ScanLimits;
import bot.bottle.gitgate.scan.ScanReport;

/** {@code gitgate:scan} and {@code gitgate:run}: thin commands over {@link RepoScan} and {@link GitGate}. */
@Component(service = GitGateCommands.class, property = {"osgi.command.scope=gitgate",
        "osgi.command.function=scan", "osgi.command.function=run"})
public final class GitGateCommands {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile DlpScanner engine;

    /** The supervise queue for gitleaks:allow requests; while none is bound such a push is refused. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ProposalQueue approvals;

    private DlpScanner engine() {
        DlpScanner e = engine;
        if (e == null) {
            throw new GateFailure(3, "no DLP engine is active (bundle bot.bottle.dlp)");
        }
        return e;
    }

    @Descriptor("scan a repository range for secrets with the gate's engine; exit 1 when something is found")
    public void scan(
            @Descriptor("text or json") @Parameter(names = "--format", absentValue = "text") String format,
            @Descriptor("repository directory (work tree or bare)") String repo,
            @Descriptor("revisions: A..B, REV, ^REV; none scans every ref") String... range) {
        ScanReport r = RepoScan.scan(engine(), Path.of(repo), Arrays.asList(range), ScanLimits.DEFAULTS);
        System.out.print("json".equals(format) ? RepoScan.json(r) : RepoScan.text(r));
        System.out.flush();
        if (!r.clean()) {
            throw new GateFailure(1, r.findings().size() + " finding(s) in " + repo);
        }
    }

    @Descriptor("serve the git gate in the foreground at http://ADDR/NAME until interrupted")
    public void run(
            @Descriptor("the bottle's state directory (bare repos go to DIR/gitgate)")
            @Parameter(names = "--state", absentValue = "") String state,
            @Descriptor("listen address host:port") @Parameter(names = "--listen", absentValue = "127.0.0.1:9420")
            String listen,
            @Descriptor("deploy key for ssh:// upstreams") @Parameter(names = "--key", absentValue = "") String key,
            @Descriptor("known_hosts pinning the upstream host keys")
            @Parameter(names = "--known-hosts", absentValue = "") String knownHosts,
            @Descriptor("--repo NAME=UPSTREAM, repeatable (UPSTREAM: ssh:// URL or a bare repository path)")
            String... repos) {
        if (state.isBlank()) {
            throw new GateFailure(2, "gitgate:run needs --state DIR");
        }
        Path dir = Path.of(state);
        if (!Files.isDirectory(dir)) {
            throw new GateFailure(2, "state directory " + dir + " does not exist");
        }
        List<RepoConfig> rcs = new ArrayList<>();
        for (String spec : repoSpecs(repos)) {
            int eq = spec.indexOf('=');
            if (eq <= 0) {
                throw new GateFailure(2, "--repo expects NAME=UPSTREAM, not '" + spec + "'");
            }
            try {
                rcs.add(new RepoConfig(spec.substring(0, eq), spec.substring(eq + 1),
                        key.isBlank() ? null : Path.of(key), knownHosts.isBlank() ? null : Path.of(knownHosts), "",
                        RepoConfig.ForcePolicy.AGENT_CREATED));
            } catch (IllegalArgumentException e) {
                throw new GateFailure(2, e.getMessage());
            }
        }
        if (rcs.isEmpty()) {
            throw new GateFailure(2, "gitgate:run needs at least one --repo NAME=UPSTREAM");
        }
        GateConfig config;
        try {
            config = GateConfig.defaults(dir, GateConfig.address(listen), rcs);
        } catch (IllegalArgumentException e) {
            throw new GateFailure(2, e.getMessage());
        }
        try (GitGate gate = GitGate.start(config, () -> engine, () -> approvals)) {
            for (RepoConfig rc : rcs) {
                System.out.println("git gate: " + gate.url(rc.name()) + " -> " + rc.upstream());
            }
            System.out.flush();
            new CountDownLatch(1).await();
        } catch (IOException e) {
            throw new GateFailure(3, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Accepts "--repo A=B" pairs and bare "A=B" words (Gogo hands unknown options through as words). */
    static List<String> repoSpecs(String[] args) {
        List<String> out = new ArrayList<>();
        for (int i = 0; args != null && i < args.length; i++) {
            String a = args[i];
            if (a.equals("--repo")) {
                if (i + 1 >= args.length) {
                    throw new GateFailure(2, "--repo needs NAME=UPSTREAM");
                }
                out.add(args[++i]);
            } else if (a.startsWith("--repo=")) {
                out.add(a.substring("--repo=".length()));
            } else if (a.startsWith("--")) {
                throw new GateFailure(2, "unknown option " + a);
            } else {
                out.add(a);
            }
        }
        return out;
    }
}
