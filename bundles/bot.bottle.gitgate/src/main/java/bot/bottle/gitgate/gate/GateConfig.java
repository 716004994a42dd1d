package bot.bottle.gitgate.gate;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import bot.bottle.gitgate.scan.ScanLimits;

/**
 * Everything the gate needs, from the config file or the {@code gitgate:run} command line.
 *
 * @param listen          where the smart-HTTP server listens
 * @param state           the bottle's state directory: bare repos live in {@code <state>/gitgate/}
 * @param slug            the bottle slug for supervise proposals
 * @param queue           the supervise queue directory, or null when supervise is off (suppressions refused)
 * @param allowTimeout    how long a push waits for a gitleaks:allow decision
 * @param repos           the declared remotes
 * @param limits          scan bounds
 * @param detectors       detector ids to run; empty runs every outbound detector
 * @param knownSecretEnv  environment variables whose values must never be pushed
 * @param gitleaks        the optional external gitleaks run
 * @param upstreamTimeout network timeout towards the upstream
 */
public record GateConfig(InetSocketAddress listen, Path state, String slug, Path queue, Duration allowTimeout,
        List<RepoConfig> repos, ScanLimits limits, Set<String> detectors, List<String> knownSecretEnv,
        ExternalGitleaks gitleaks, Duration upstreamTimeout) {

    public static final int DEFAULT_PORT = 9420;

    /** Whether and how an external {@code gitleaks} binary runs in addition to the built-in engine. */
    public enum GitleaksMode { OFF, AUTO, ON }

    /**
     * @param mode    off (default), auto (run when found on PATH), on (required: missing binary refuses pushes)
     * @param command the binary name or path
     * @param timeout bound of one run
     */
    public record ExternalGitleaks(GitleaksMode mode, String command, Duration timeout) {
        public static final ExternalGitleaks OFF = new ExternalGitleaks(GitleaksMode.OFF, "gitleaks",
                Duration.ofSeconds(120));
    }

    public GateConfig {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(slug, "slug");
        Objects.requireNonNull(allowTimeout, "allowTimeout");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(gitleaks, "gitleaks");
        repos = List.copyOf(repos);
        detectors = Set.copyOf(detectors);
        knownSecretEnv = List.copyOf(knownSecretEnv);
        if (repos.isEmpty()) {
            throw new IllegalArgumentException("no repos declared");
        }
        if (repos.stream().map(RepoConfig::name).distinct().count() != repos.size()) {
            throw new IllegalArgumentException("repo names must be unique");
        }
    }

    /** Defaults for a state directory: queue in {@code <state>/supervise/queue}, slug = directory name. */
    public static GateConfig defaults(Path state, InetSocketAddress listen, List<RepoConfig> repos) {
        Path s = state.toAbsolutePath().normalize();
        return new GateConfig(listen, s, s.getFileName().toString(), s.resolve("supervise").resolve("queue"),
                GitleaksAllow.timeoutFrom(System.getenv(GitleaksAllow.TIMEOUT_ENV)), repos,
                ScanLimits.DEFAULTS, Set.of(), List.of(), ExternalGitleaks.OFF, Duration.ofSeconds(60));
    }

    public GateConfig withAllowTimeout(Duration t) {
        return new GateConfig(listen, state, slug, queue, t, repos, limits, detectors, knownSecretEnv, gitleaks,
                upstreamTimeout);
    }

    public GateConfig withQueue(Path q) {
        return new GateConfig(listen, state, slug, q, allowTimeout, repos, limits, detectors, knownSecretEnv,
                gitleaks, upstreamTimeout);
    }

    public GateConfig withLimits(ScanLimits l) {
        return new GateConfig(listen, state, slug, queue, allowTimeout, repos, l, detectors, knownSecretEnv,
                gitleaks, upstreamTimeout);
    }

    public GateConfig withGitleaks(ExternalGitleaks g) {
        return new GateConfig(listen, state, slug, queue, allowTimeout, repos, limits, detectors, knownSecretEnv, g,
                upstreamTimeout);
    }

    public GateConfig withUpstreamTimeout(Duration t) {
        return new GateConfig(listen, state, slug, queue, allowTimeout, repos, limits, detectors, knownSecretEnv,
                gitleaks, t);
    }

    public GateConfig withDetectors(Set<String> d, List<String> env) {
        return new GateConfig(listen, state, slug, queue, allowTimeout, repos, limits, d, env, gitleaks,
                upstreamTimeout);
    }

    /** Parses {@code host:port}, {@code :port} or {@code port}. */
    public static InetSocketAddress address(String s) {
        String v = s.strip();
        int colon = v.lastIndexOf(':');
        String host = colon < 0 ? "0.0.0.0" : v.substring(0, colon);
        String port = colon < 0 ? v : v.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty()) {
            host = "0.0.0.0";
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("listen address '" + s + "' needs a numeric port");
        }
        if (p < 0 || p > 65535) {
            throw new IllegalArgumentException("listen port out of range in '" + s + "'");
        }
        return new InetSocketAddress(host, p);
    }
}
