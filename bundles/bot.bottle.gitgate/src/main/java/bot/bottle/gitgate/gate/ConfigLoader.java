package bot.bottle.gitgate.gate;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import bot.bottle.gitgate.scan.ScanLimits;

/**
 * Reads the gate's config file (YAML, or JSON which YAML reads too). Strict: unknown keys, wrong types,
 * duplicate keys and missing required values are refused with the file and key named. Relative paths are
 * resolved against the file's directory.
 *
 * <pre>
 * listen: 0.0.0.0:9420                 # default
 * state: /bottle/state                  # required: bare repos go to &lt;state&gt;/gitgate/
 * bottle: dev                           # default: the state directory's name
 * supervise:
 *   queue: /bottle/state/supervise/queue   # default &lt;state&gt;/supervise/queue; false = no supervisor
 *   timeout_seconds: 300                   # default $SUPERVISE_GITLEAKS_ALLOW_TIMEOUT_SECONDS or 300
 * scan:
 *   detectors: [token_patterns]         # default: every outbound detector
 *   known_secret_env: [GITHUB_TOKEN]    # values that must never be pushed
 *   max_bytes: 2147483648
 *   timeout_seconds: 300
 *   gitleaks: off                       # off | auto | on
 *   gitleaks_command: gitleaks
 * upstream_timeout_seconds: 60
 * repos:
 *   app:
 *     upstream: ssh://git@github.com/acme/app.git
 *     key: /bottle/creds/deploy_key
 *     known_hosts: /bottle/creds/known_hosts
 *     default_branch: main              # default: learned from the upstream's HEAD (main/master protected)
 *     force: agent-created              # agent-created | never
 * </pre>
 */
public final class ConfigLoader {

    private static final Set<String> TOP = Set.of("listen", "state", "bottle", "supervise", "scan",
            "upstream_timeout_seconds", "repos");
    private static final Set<String> SUPERVISE = Set.of("queue", "timeout_seconds");
    private static final Set<String> SCAN = Set.of("detectors", "known_secret_env", "max_bytes", "timeout_seconds",
            "gitleaks", "gitleaks_command", "gitleaks_timeout_seconds");
    private static final Set<String> REPO = Set.of("upstream", "key", "known_hosts", "default_branch", "force");

    private ConfigLoader() {
    }

    public static GateConfig load(Path file) throws IOException {
        Object root;
        LoaderOptions opts = new LoaderOptions();
        opts.setAllowDuplicateKeys(false);
        opts.setMaxAliasesForCollections(10);
        opts.setCodePointLimit(1 << 20);
        try (InputStream in = Files.newInputStream(file)) {
            root = new Yaml(new SafeConstructor(opts)).load(new String(in.readNBytes(1 << 20),
                    StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            throw new IOException(file + ": not valid YAML/JSON: " + firstLine(e.getMessage()));
        }
        try {
            return parse(root, file.toAbsolutePath().getParent());
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage());
        }
    }

    static GateConfig parse(Object root, Path base) {
        Map<String, Object> top = map(root, "the top level");
        keys(top, TOP, "");
        Path state = path(base, str(top, "state", "state", null));
        if (state == null) {
            throw new IllegalArgumentException("key 'state' is required");
        }
        InetSocketAddress listen = GateConfig.address(str(top, "listen", "listen", "0.0.0.0:" + GateConfig.DEFAULT_PORT));
        List<RepoConfig> repos = new ArrayList<>();
        Map<String, Object> rs = map(top.get("repos"), "repos");
        for (Map.Entry<String, Object> e : rs.entrySet()) {
            String k = "repos." + e.getKey();
            Map<String, Object> r = map(e.getValue(), k);
            keys(r, REPO, k + ".");
            String upstream = str(r, "upstream", k + ".upstream", null);
            if (upstream == null) {
                throw new IllegalArgumentException("key '" + k + ".upstream' is required");
            }
            if (!RepoConfig.isSsh(upstream)) {
                upstream = base.resolve(upstream).normalize().toString();
            }
            try {
                repos.add(new RepoConfig(e.getKey(), upstream, path(base, str(r, "key", k + ".key", null)),
                        path(base, str(r, "known_hosts", k + ".known_hosts", null)),
                        str(r, "default_branch", k + ".default_branch", ""),
                        RepoConfig.ForcePolicy.of(str(r, "force", k + ".force", "agent-created"))));
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("key '" + k + "': " + ex.getMessage());
            }
        }
        GateConfig c = GateConfig.defaults(state, listen, repos);
        String slug = str(top, "bottle", "bottle", c.slug());
        Path queue = c.queue();
        Duration allow = c.allowTimeout();
        if (top.containsKey("supervise")) {
            Map<String, Object> s = map(top.get("supervise"), "supervise");
            keys(s, SUPERVISE, "supervise.");
            Object q = s.get("queue");
            if (Boolean.FALSE.equals(q)) {
                queue = null;
            } else if (q != null) {
                queue = path(base, str(s, "queue", "supervise.queue", null));
            }
            if (s.containsKey("timeout_seconds")) {
                allow = Duration.ofSeconds(num(s, "timeout_seconds", "supervise.timeout_seconds"));
            }
        }
        ScanLimits limits = c.limits();
        Set<String> detectors = Set.of();
        List<String> env = List.of();
        GateConfig.ExternalGitleaks gl = GateConfig.ExternalGitleaks.OFF;
        if (top.containsKey("scan")) {
            Map<String, Object> s = map(top.get("scan"), "scan");
            keys(s, SCAN, "scan.");
            detectors = new LinkedHashSet<>(strings(s, "detectors", "scan.detectors"));
            env = strings(s, "known_secret_env", "scan.known_secret_env");
            if (s.containsKey("max_bytes")) {
                limits = limits.withMaxBytes(num(s, "max_bytes", "scan.max_bytes"));
            }
            if (s.containsKey("timeout_seconds")) {
                limits = limits.withTimeout(Duration.ofSeconds(num(s, "timeout_seconds", "scan.timeout_seconds")));
            }
            Object mode = s.get("gitleaks");
            String m = mode == null ? "off" : mode instanceof Boolean b ? (b ? "on" : "off") : String.valueOf(mode);
            GateConfig.GitleaksMode gm = switch (m) {
                case "off" -> GateConfig.GitleaksMode.OFF;
                case "auto" -> GateConfig.GitleaksMode.AUTO;
                case "on" -> GateConfig.GitleaksMode.ON;
                default -> throw new IllegalArgumentException("key 'scan.gitleaks' must be off, auto or on");
            };
            gl = new GateConfig.ExternalGitleaks(gm, str(s, "gitleaks_command", "scan.gitleaks_command", "gitleaks"),
                    Duration.ofSeconds(s.containsKey("gitleaks_timeout_seconds")
                            ? num(s, "gitleaks_timeout_seconds", "scan.gitleaks_timeout_seconds") : 120));
        }
        Duration up = top.containsKey("upstream_timeout_seconds")
                ? Duration.ofSeconds(num(top, "upstream_timeout_seconds", "upstream_timeout_seconds"))
                : c.upstreamTimeout();
        return new GateConfig(listen, c.state(), slug, queue, allow, repos, limits, detectors, env, gl, up);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o, String key) {
        if (!(o instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException("key '" + key + "' must be a mapping");
        }
        for (Object k : m.keySet()) {
            if (!(k instanceof String)) {
                throw new IllegalArgumentException("key '" + key + "' has a non-string key");
            }
        }
        return (Map<String, Object>) m;
    }

    private static void keys(Map<String, Object> m, Set<String> allowed, String prefix) {
        for (String k : m.keySet()) {
            if (!allowed.contains(k)) {
                throw new IllegalArgumentException("unknown key '" + prefix + k + "'");
            }
        }
    }

    private static String str(Map<String, Object> m, String k, String name, String def) {
        Object v = m.get(k);
        if (v == null) {
            return def;
        }
        if (!(v instanceof String s)) {
            throw new IllegalArgumentException("key '" + name + "' must be a string");
        }
        return s;
    }

    private static long num(Map<String, Object> m, String k, String name) {
        Object v = m.get(k);
        if (!(v instanceof Integer || v instanceof Long) || ((Number) v).longValue() < 0) {
            throw new IllegalArgumentException("key '" + name + "' must be a non-negative integer");
        }
        return ((Number) v).longValue();
    }

    private static List<String> strings(Map<String, Object> m, String k, String name) {
        Object v = m.get(k);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> l) || l.stream().anyMatch(x -> !(x instanceof String))) {
            throw new IllegalArgumentException("key '" + name + "' must be a list of strings");
        }
        return l.stream().map(String.class::cast).toList();
    }

    private static Path path(Path base, String s) {
        return s == null ? null : base.resolve(s).normalize();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
