package bot.bottle.manifest.core;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

import bot.bottle.api.plan.HeaderMatch;
import bot.bottle.api.plan.MatchRule;
import bot.bottle.api.plan.PathMatch;
import bot.bottle.manifest.core.Specs.Val;
import bot.bottle.manifest.core.Walker.Field;

/**
 * Parses and validates one agent or bottle file against the schema (docs/manifest.md). Every problem
 * in the file is collected; the parse throws one {@link ManifestException} carrying all of them.
 */
public final class ManifestParser {

    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
    static final Pattern DETECTOR = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,63}");
    static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}");
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern SCP_URL = Pattern.compile("[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[^\\s]+");

    static final List<String> BOTTLE_KEYS = List.of("extends", "agent_provider", "env", "skills",
            "git_user", "git", "egress", "supervise");
    static final List<String> AGENT_KEYS = List.of("bottle", "skills", "prompt");
    static final List<String> PROVIDER_KEYS = List.of("template", "auth_token", "dockerfile",
            "forward_host_credentials");
    static final List<String> ROUTE_KEYS = List.of("host", "role", "auth", "matches", "git", "dlp",
            "outbound_on_match");
    static final List<String> METHODS = List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE",
            "OPTIONS");
    static final List<String> ON_MATCH = List.of("block", "redact", "supervise");
    static final List<String> LOG_LEVELS = List.of("off", "blocks", "full");

    /**
     * Variables the bottle sets itself: a manifest that set them could point the agent's proxy or CA
     * elsewhere, or collide with the canary and token slots.
     */
    static final Set<String> RESERVED_ENV = Set.of("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY",
            "http_proxy", "https_proxy", "no_proxy", "all_proxy", "SSL_CERT_FILE", "SSL_CERT_DIR",
            "NODE_EXTRA_CA_CERTS", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "GIT_SSL_CAINFO");
    static final List<String> RESERVED_ENV_PREFIXES = List.of("BOT_BOTTLE_", "EGRESS_");

    private final Set<String> providers;

    /** @param providers the provider ids {@code agent_provider.template} may name */
    public ManifestParser(Set<String> providers) {
        this.providers = Set.copyOf(providers);
    }

    // ---------------------------------------------------------------- agents

    Specs.Agent parseAgent(ManifestFile f, byte[] bytes) {
        Frontmatter fm = Frontmatter.parse(f.display(), bytes);
        Problems problems = new Problems();
        Walker w = new Walker(f.display(), fm.firstLine(), problems);
        Node root = SafeYaml.compose(f.display(), fm.yaml(), fm.firstLine());
        Val<String> bottle = null;
        List<Val<String>> skills = List.of();
        String prompt = fm.body();
        if (root == null || isEmptyMapping(root)) {
            problems.add(new Problem(f.display(), 1, "bottle", "missing required key"));
        } else {
            Map<String, String> refused = new LinkedHashMap<>();
            for (String k : BOTTLE_KEYS) {
                if (AGENT_KEYS.contains(k)) {
                    continue;
                }
                refused.put(k, f.source() == ManifestFile.Source.REPO
                        ? "refused: a repository agent cannot set " + k
                                + "; only bottles in $BOT_BOTTLE_HOME/bottles may (trust boundary)"
                        : "not allowed in an agent: " + k
                                + " belongs in the bottle (agents set only bottle, skills, prompt)");
            }
            refused.put("role", "reserved for future use; any value is refused");
            Map<String, Field> fs = w.fields(root, "", AGENT_KEYS, refused);
            if (fs != null) {
                if (w.require(fs, root, "", "bottle")) {
                    Field b = fs.get("bottle");
                    String v = name(w, b.value(), b.path());
                    if (v != null) {
                        bottle = new Val<>(v, w.loc(b.value(), b.path()));
                    }
                }
                if (fs.containsKey("skills")) {
                    skills = skills(w, fs.get("skills"));
                }
                if (fs.containsKey("prompt")) {
                    Field p = fs.get("prompt");
                    String v = w.str(p.value(), p.path());
                    if (v != null && !fm.body().isEmpty()) {
                        w.err(p.keyNode(), p.path(),
                                "set the prompt here or in the markdown body, not both");
                    } else if (v != null) {
                        prompt = v.strip();
                    }
                }
            }
        }
        problems.throwIfAny();
        return new Specs.Agent(f.name(), f, bottle, skills, prompt);
    }

    // --------------------------------------------------------------- bottles

    Specs.Bottle parseBottle(ManifestFile f, byte[] bytes) {
        Frontmatter fm = Frontmatter.parse(f.display(), bytes);
        Problems problems = new Problems();
        int off = fm.firstLine();
        Walker w = new Walker(f.display(), off, problems);
        Node root = SafeYaml.compose(f.display(), fm.yaml(), off);
        List<Val<String>> ext = List.of();
        Specs.Provider provider = Specs.Provider.EMPTY;
        Map<String, Val<String>> env = Map.of();
        List<Val<String>> skills = List.of();
        Specs.GitUser gitUser = null;
        Map<String, Specs.GitRepo> repos = Map.of();
        Val<String> log = null;
        List<Specs.Route> routes = List.of();
        Val<Boolean> supervise = null;
        if (root != null && !isEmptyMapping(root)) {
            Map<String, Field> fs = w.fields(root, "", BOTTLE_KEYS,
                    Map.of("role", "reserved for future use; any value is refused"));
            if (fs != null) {
                if (fs.containsKey("extends")) {
                    ext = extendsNames(w, fs.get("extends"));
                }
                if (fs.containsKey("agent_provider")) {
                    provider = provider(w, fs.get("agent_provider"), f);
                }
                if (fs.containsKey("env")) {
                    env = env(w, fs.get("env"));
                }
                if (fs.containsKey("skills")) {
                    skills = skills(w, fs.get("skills"));
                }
                if (fs.containsKey("git_user")) {
                    gitUser = gitUser(w, fs.get("git_user"));
                }
                if (fs.containsKey("git")) {
                    repos = git(w, fs.get("git"), f);
                }
                if (fs.containsKey("egress")) {
                    Field e = fs.get("egress");
                    Map<String, Field> ef = w.fields(e.value(), e.path(), List.of("log", "routes"));
                    if (ef != null) {
                        if (ef.containsKey("log")) {
                            Field l = ef.get("log");
                            String v = w.oneOf(l.value(), l.path(), LOG_LEVELS);
                            if (v != null) {
                                log = new Val<>(v, w.loc(l.value(), l.path()));
                            }
                        }
                        if (ef.containsKey("routes")) {
                            routes = routes(w, ef.get("routes"));
                        }
                    }
                }
                if (fs.containsKey("supervise")) {
                    Field s = fs.get("supervise");
                    Boolean v = w.bool(s.value(), s.path());
                    if (v != null) {
                        supervise = new Val<>(v, w.loc(s.value(), s.path()));
                    }
                }
            }
        }
        problems.throwIfAny();
        return new Specs.Bottle(f.name(), f, ext, provider, env, skills, gitUser, repos, log, routes,
                supervise, fm.body());
    }

    private static boolean isEmptyMapping(Node root) {
        return root instanceof ScalarNode s && root.getTag().equals(Tag.NULL)
                || root instanceof MappingNode m && m.getValue().isEmpty();
    }

    private static String name(Walker w, Node n, String path) {
        String v = w.str(n, path);
        if (v != null && !NAME.matcher(v).matches()) {
            w.err(n, path, "expected a name (letters, digits, _ . -; at most 64), got "
                    + Walker.quote(v));
            return null;
        }
        return v;
    }

    private static String envName(Walker w, Node n, String path) {
        String v = w.str(n, path);
        if (v != null && !ENV_NAME.matcher(v).matches()) {
            w.err(n, path, "expected an environment variable name ([A-Za-z_][A-Za-z0-9_]*), got "
                    + Walker.quote(v));
            return null;
        }
        if (v != null && TOKEN_LIKE.matcher(v).matches()) {
            // The value itself was pasted where the variable's name belongs; do not echo it back.
            w.err(n, path, "looks like a token value; give the name of the host variable that holds it");
            return null;
        }
        return v;
    }

    /** Vendor token shapes that also happen to be valid variable names (GitHub, AWS key ids). */
    static final Pattern TOKEN_LIKE = Pattern.compile(
            "(gh[pousr]_[A-Za-z0-9_]{16,}|github_pat_[A-Za-z0-9_]{16,}|(AKIA|ASIA)[A-Z0-9]{16})");

    private List<Val<String>> extendsNames(Walker w, Field f) {
        List<Val<String>> out = new ArrayList<>();
        if (f.value() instanceof SequenceNode s) {
            if (s.getValue().isEmpty()) {
                w.err(f.value(), f.path(), "empty list: name a bottle or remove extends");
            }
            int i = 0;
            for (Node n : s.getValue()) {
                String p = Walker.index(f.path(), i++);
                String v = name(w, n, p);
                if (v != null) {
                    out.add(new Val<>(v, w.loc(n, p)));
                }
            }
        } else {
            String v = name(w, f.value(), f.path());
            if (v != null) {
                out.add(new Val<>(v, w.loc(f.value(), f.path())));
            }
        }
        return out;
    }

    private Specs.Provider provider(Walker w, Field f, ManifestFile file) {
        Map<String, Field> fs = w.fields(f.value(), f.path(), PROVIDER_KEYS);
        if (fs == null) {
            return Specs.Provider.EMPTY;
        }
        Val<String> template = null;
        Val<String> auth = null;
        Val<Path> dockerfile = null;
        Val<Boolean> fwd = null;
        if (fs.containsKey("template")) {
            Field t = fs.get("template");
            String v = w.nonEmpty(t.value(), t.path());
            if (v != null && !providers.contains(v)) {
                w.err(t.value(), t.path(), "unknown provider " + Walker.quote(v) + " (known: "
                        + String.join(", ", new TreeSet<>(providers)) + ")");
            } else if (v != null) {
                template = new Val<>(v, w.loc(t.value(), t.path()));
            }
        }
        if (fs.containsKey("auth_token")) {
            Field t = fs.get("auth_token");
            String v = envName(w, t.value(), t.path());
            if (v != null) {
                auth = new Val<>(v, w.loc(t.value(), t.path()));
            }
        }
        if (fs.containsKey("dockerfile")) {
            Field t = fs.get("dockerfile");
            dockerfile = hostPath(w, t, file);
        }
        if (fs.containsKey("forward_host_credentials")) {
            Field t = fs.get("forward_host_credentials");
            Boolean v = w.bool(t.value(), t.path());
            if (v != null) {
                fwd = new Val<>(v, w.loc(t.value(), t.path()));
            }
        }
        return new Specs.Provider(template, auth, dockerfile, fwd);
    }

    /** A host path: {@code ~/} is the user's home; a relative path is relative to the file's folder. */
    private static Val<Path> hostPath(Walker w, Field t, ManifestFile file) {
        String v = w.nonEmpty(t.value(), t.path());
        if (v == null) {
            return null;
        }
        Path p;
        try {
            if (v.equals("~") || v.startsWith("~/")) {
                p = Path.of(System.getProperty("user.home")).resolve(v.length() > 2 ? v.substring(2) : "");
            } else {
                p = file.path().toAbsolutePath().getParent().resolve(v);
            }
        } catch (RuntimeException e) {
            w.err(t.value(), t.path(), "not a valid path: " + Walker.quote(v));
            return null;
        }
        return new Val<>(p.normalize(), w.loc(t.value(), t.path()));
    }

    private static Map<String, Val<String>> env(Walker w, Field f) {
        List<Field> entries = w.entries(f.value(), f.path());
        Map<String, Val<String>> out = new LinkedHashMap<>();
        if (entries == null) {
            return out;
        }
        for (Field e : entries) {
            if (!ENV_NAME.matcher(e.key()).matches()) {
                w.err(e.keyNode(), e.path(),
                        "expected an environment variable name ([A-Za-z_][A-Za-z0-9_]*)");
                continue;
            }
            if (reservedEnv(e.key())) {
                w.err(e.keyNode(), e.path(), "reserved: the bottle sets this variable itself");
                continue;
            }
            String v = w.scalarText(e.value(), e.path());
            if (v != null) {
                out.put(e.key(), new Val<>(v, w.loc(e.keyNode(), e.path())));
            }
        }
        return out;
    }

    static boolean reservedEnv(String name) {
        return RESERVED_ENV.contains(name)
                || RESERVED_ENV_PREFIXES.stream().anyMatch(name.toUpperCase(Locale.ROOT)::startsWith);
    }

    private static List<Val<String>> skills(Walker w, Field f) {
        List<Node> items = w.list(f.value(), f.path());
        List<Val<String>> out = new ArrayList<>();
        if (items == null) {
            return out;
        }
        Map<String, String> seen = new LinkedHashMap<>();
        int i = 0;
        for (Node n : items) {
            String p = Walker.index(f.path(), i++);
            String v = name(w, n, p);
            if (v == null) {
                continue;
            }
            String first = seen.putIfAbsent(v, p);
            if (first != null) {
                w.err(n, p, "duplicate skill " + Walker.quote(v) + " (also " + first + ")");
                continue;
            }
            out.add(new Val<>(v, w.loc(n, p)));
        }
        return out;
    }

    private static Specs.GitUser gitUser(Walker w, Field f) {
        Map<String, Field> fs = w.fields(f.value(), f.path(), List.of("name", "email"));
        if (fs == null) {
            return null;
        }
        boolean ok = w.require(fs, f.value(), f.path(), "name") & w.require(fs, f.value(), f.path(), "email");
        String name = fs.containsKey("name") ? w.nonEmpty(fs.get("name").value(), fs.get("name").path()) : null;
        String email = null;
        if (fs.containsKey("email")) {
            Field e = fs.get("email");
            email = w.nonEmpty(e.value(), e.path());
            if (email != null && (!email.contains("@") || email.chars().anyMatch(Character::isWhitespace))) {
                w.err(e.value(), e.path(), "expected an email address, got " + Walker.quote(email));
                email = null;
            }
        }
        return ok && name != null && email != null ? new Specs.GitUser(name, email, w.loc(f.value(), f.path()))
                : null;
    }

    private static Map<String, Specs.GitRepo> git(Walker w, Field f, ManifestFile file) {
        Map<String, Specs.GitRepo> out = new LinkedHashMap<>();
        Map<String, Field> fs = w.fields(f.value(), f.path(), List.of("repos"));
        if (fs == null || !fs.containsKey("repos")) {
            if (fs != null) {
                w.require(fs, f.value(), f.path(), "repos");
            }
            return out;
        }
        Field r = fs.get("repos");
        List<Field> entries = w.entries(r.value(), r.path());
        if (entries == null) {
            return out;
        }
        for (Field e : entries) {
            if (!NAME.matcher(e.key()).matches()) {
                w.err(e.keyNode(), e.path(), "expected a repository name (letters, digits, _ . -)");
                continue;
            }
            Map<String, Field> rf = w.fields(e.value(), e.path(), List.of("upstream", "ssh_key", "known_hosts"));
            if (rf == null) {
                continue;
            }
            String upstream = null;
            if (w.require(rf, e.value(), e.path(), "upstream")) {
                Field u = rf.get("upstream");
                upstream = w.nonEmpty(u.value(), u.path());
                // The git gate forwards over SSH only, with a key only it holds and a pinned host key.
                if (upstream != null && !(upstream.startsWith("ssh://") || SCP_URL.matcher(upstream).matches())) {
                    w.err(u.value(), u.path(), "expected an ssh:// or user@host:path URL (the git gate forwards"
                            + " over SSH), got " + Walker.quote(upstream));
                    upstream = null;
                }
            }
            boolean hasKey = w.require(rf, e.value(), e.path(), "ssh_key");
            boolean hasHosts = w.require(rf, e.value(), e.path(), "known_hosts");
            Val<Path> key = hasKey ? hostPath(w, rf.get("ssh_key"), file) : null;
            Val<Path> kh = hasHosts ? hostPath(w, rf.get("known_hosts"), file) : null;
            if (upstream != null) {
                out.put(e.key(), new Specs.GitRepo(e.key(), upstream, key, kh, w.loc(e.keyNode(), e.path())));
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- routes

    private static List<Specs.Route> routes(Walker w, Field f) {
        List<Node> items = w.list(f.value(), f.path());
        List<Specs.Route> out = new ArrayList<>();
        if (items == null) {
            return out;
        }
        Map<String, Loc> hosts = new LinkedHashMap<>();
        int i = 0;
        for (Node n : items) {
            String p = Walker.index(f.path(), i++);
            Specs.Route r = route(w, n, p);
            if (r == null) {
                continue;
            }
            Loc first = hosts.putIfAbsent(r.host(), r.loc());
            if (first != null) {
                w.err(n, p + ".host", "duplicate host " + Walker.quote(r.host()) + " (also "
                        + first.path() + ", line " + first.line() + ")");
                continue;
            }
            out.add(r);
        }
        return out;
    }

    private static Specs.Route route(Walker w, Node n, String path) {
        Map<String, Field> fs = w.fields(n, path, ROUTE_KEYS);
        if (fs == null) {
            return null;
        }
        boolean ok = true;
        String host = null;
        if (w.require(fs, n, path, "host")) {
            Field h = fs.get("host");
            host = host(w, h.value(), h.path());
            ok &= host != null;
        } else {
            ok = false;
        }
        if (fs.containsKey("role")) {
            Field r = fs.get("role");
            w.err(r.value(), r.path(), "reserved for future use; any value is refused"
                    + " (provider auth comes from agent_provider.auth_token)");
            ok = false;
        }
        Specs.Auth auth = null;
        if (fs.containsKey("auth")) {
            Field a = fs.get("auth");
            Map<String, Field> af = w.fields(a.value(), a.path(), List.of("scheme", "token_ref"));
            if (af == null) {
                ok = false;
            } else {
                boolean has = w.require(af, a.value(), a.path(), "scheme")
                        & w.require(af, a.value(), a.path(), "token_ref");
                String scheme = af.containsKey("scheme")
                        ? w.oneOf(af.get("scheme").value(), af.get("scheme").path(), List.of("Bearer", "token"))
                        : null;
                String ref = af.containsKey("token_ref")
                        ? envName(w, af.get("token_ref").value(), af.get("token_ref").path())
                        : null;
                if (has && scheme != null && ref != null) {
                    auth = new Specs.Auth(scheme, ref, w.loc(a.value(), a.path()));
                } else {
                    ok = false;
                }
            }
        }
        List<MatchRule> matches = List.of();
        if (fs.containsKey("matches")) {
            matches = matches(w, fs.get("matches"));
            ok &= matches != null;
        }
        Boolean gitFetch = null;
        if (fs.containsKey("git")) {
            Field g = fs.get("git");
            Map<String, Field> gf = w.fields(g.value(), g.path(), List.of("fetch"));
            if (gf != null && w.require(gf, g.value(), g.path(), "fetch")) {
                gitFetch = w.bool(gf.get("fetch").value(), gf.get("fetch").path());
            }
            ok &= gitFetch != null;
        }
        List<String> outbound = null;
        List<String> inbound = null;
        if (fs.containsKey("dlp")) {
            Field d = fs.get("dlp");
            Map<String, Field> df = w.fields(d.value(), d.path(), List.of("outbound_detectors", "inbound_detectors"));
            if (df == null) {
                ok = false;
            } else {
                if (df.containsKey("outbound_detectors")) {
                    outbound = detectors(w, df.get("outbound_detectors"));
                    ok &= outbound != null;
                }
                if (df.containsKey("inbound_detectors")) {
                    inbound = detectors(w, df.get("inbound_detectors"));
                    ok &= inbound != null;
                }
            }
        }
        Val<String> onMatch = null;
        if (fs.containsKey("outbound_on_match")) {
            Field o = fs.get("outbound_on_match");
            String v = w.oneOf(o.value(), o.path(), ON_MATCH);
            if (v == null) {
                ok = false;
            } else {
                onMatch = new Val<>(v, w.loc(o.value(), o.path()));
            }
        }
        return ok ? new Specs.Route(host, w.loc(n, path), auth, matches, gitFetch, outbound, inbound, onMatch)
                : null;
    }

    /** A host name or IPv4 address, stored lower case; no scheme, port, path or wildcard. */
    static String host(Walker w, Node n, String path) {
        String v = w.str(n, path);
        if (v == null) {
            return null;
        }
        String h = v.toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (!validHost(h)) {
            w.err(n, path, "expected a host name (no scheme, port, path or wildcard), got " + Walker.quote(v));
            return null;
        }
        return h;
    }

    static boolean validHost(String h) {
        if (h.isEmpty() || h.length() > 253) {
            return false;
        }
        if (IPV4.matcher(h).matches()) {
            for (String part : h.split("\\.")) {
                if (Integer.parseInt(part) > 255) {
                    return false;
                }
            }
            return true;
        }
        for (String label : h.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                return false;
            }
        }
        // an all-numeric last label is a malformed address, not a name
        return !h.substring(h.lastIndexOf('.') + 1).chars().allMatch(Character::isDigit);
    }

    private static List<String> detectors(Walker w, Field f) {
        Node n = f.value();
        if (n instanceof ScalarNode s && n.getTag().equals(Tag.BOOL) && s.getValue().equals("false")) {
            return List.of();
        }
        if (!(n instanceof SequenceNode seq)) {
            w.err(n, f.path(), "expected a list of detector ids or false, got " + Walker.describe(n));
            return null;
        }
        if (seq.getValue().isEmpty()) {
            w.err(n, f.path(), "empty list: write false to turn scanning off");
            return null;
        }
        List<String> out = new ArrayList<>();
        boolean ok = true;
        int i = 0;
        for (Node d : seq.getValue()) {
            String p = Walker.index(f.path(), i++);
            String v = w.str(d, p);
            if (v == null) {
                ok = false;
            } else if (!DETECTOR.matcher(v).matches()) {
                w.err(d, p, "expected a detector id ([a-z0-9_.-]), got " + Walker.quote(v));
                ok = false;
            } else if (out.contains(v)) {
                w.err(d, p, "duplicate detector " + Walker.quote(v));
                ok = false;
            } else {
                out.add(v);
            }
        }
        return ok ? out : null;
    }

    private static List<MatchRule> matches(Walker w, Field f) {
        List<Node> items = w.list(f.value(), f.path());
        if (items == null) {
            return null;
        }
        if (items.isEmpty()) {
            w.err(f.value(), f.path(), "empty list: omit matches to allow every request to the host");
            return null;
        }
        List<MatchRule> out = new ArrayList<>();
        boolean ok = true;
        int i = 0;
        for (Node n : items) {
            String p = Walker.index(f.path(), i++);
            Map<String, Field> fs = w.fields(n, p, List.of("paths", "methods", "headers"));
            if (fs == null) {
                ok = false;
                continue;
            }
            if (fs.isEmpty()) {
                w.err(n, p, "empty match entry: give paths, methods or headers");
                ok = false;
                continue;
            }
            List<PathMatch> paths = List.of();
            List<String> methods = List.of();
            List<HeaderMatch> headers = List.of();
            if (fs.containsKey("paths")) {
                paths = paths(w, fs.get("paths"));
            }
            if (fs.containsKey("methods")) {
                methods = methods(w, fs.get("methods"));
            }
            if (fs.containsKey("headers")) {
                headers = headers(w, fs.get("headers"));
            }
            if (paths == null || methods == null || headers == null) {
                ok = false;
                continue;
            }
            out.add(new MatchRule(paths, methods, headers));
        }
        return ok ? out : null;
    }

    private static List<Node> nonEmptyList(Walker w, Field f) {
        List<Node> items = w.list(f.value(), f.path());
        if (items != null && items.isEmpty()) {
            w.err(f.value(), f.path(), "empty list: omit the key instead");
            return null;
        }
        return items;
    }

    private static List<PathMatch> paths(Walker w, Field f) {
        List<Node> items = nonEmptyList(w, f);
        if (items == null) {
            return null;
        }
        List<PathMatch> out = new ArrayList<>();
        boolean ok = true;
        int i = 0;
        for (Node n : items) {
            String p = Walker.index(f.path(), i++);
            Map<String, Field> fs = w.fields(n, p, List.of("type", "value"));
            if (fs == null) {
                ok = false;
                continue;
            }
            String type = "prefix";
            if (fs.containsKey("type")) {
                type = w.oneOf(fs.get("type").value(), fs.get("type").path(), List.of("prefix", "exact", "regex"));
            }
            String value = null;
            if (w.require(fs, n, p, "value")) {
                Field v = fs.get("value");
                value = w.nonEmpty(v.value(), v.path());
                if (value != null && type != null) {
                    if (type.equals("regex")) {
                        value = regex(w, v, value);
                    } else if (!value.startsWith("/")) {
                        w.err(v.value(), v.path(), "a " + type + " path must start with /, got "
                                + Walker.quote(value));
                        value = null;
                    }
                }
            }
            if (type == null || value == null) {
                ok = false;
                continue;
            }
            out.add(new PathMatch(type, value));
        }
        return ok ? out : null;
    }

    private static List<String> methods(Walker w, Field f) {
        List<Node> items = nonEmptyList(w, f);
        if (items == null) {
            return null;
        }
        List<String> out = new ArrayList<>();
        boolean ok = true;
        int i = 0;
        for (Node n : items) {
            String p = Walker.index(f.path(), i++);
            String v = w.str(n, p);
            if (v == null) {
                ok = false;
                continue;
            }
            String m = v.toUpperCase(Locale.ROOT);
            if (!METHODS.contains(m)) {
                w.err(n, p, "expected an HTTP method (" + String.join(", ", METHODS) + "), got " + Walker.quote(v));
                ok = false;
            } else if (out.contains(m)) {
                w.err(n, p, "duplicate method " + m);
                ok = false;
            } else {
                out.add(m);
            }
        }
        return ok ? out : null;
    }

    private static List<HeaderMatch> headers(Walker w, Field f) {
        List<Node> items = nonEmptyList(w, f);
        if (items == null) {
            return null;
        }
        List<HeaderMatch> out = new ArrayList<>();
        boolean ok = true;
        int i = 0;
        for (Node n : items) {
            String p = Walker.index(f.path(), i++);
            Map<String, Field> fs = w.fields(n, p, List.of("name", "value", "type"));
            if (fs == null) {
                ok = false;
                continue;
            }
            boolean has = w.require(fs, n, p, "name") & w.require(fs, n, p, "value");
            String name = null;
            if (fs.containsKey("name")) {
                Field nf = fs.get("name");
                name = w.str(nf.value(), nf.path());
                if (name != null && !HEADER_NAME.matcher(name).matches()) {
                    w.err(nf.value(), nf.path(), "expected an HTTP header name, got " + Walker.quote(name));
                    name = null;
                }
            }
            String type = "exact";
            if (fs.containsKey("type")) {
                type = w.oneOf(fs.get("type").value(), fs.get("type").path(), List.of("exact", "prefix", "regex"));
            }
            String value = null;
            if (fs.containsKey("value")) {
                Field vf = fs.get("value");
                value = w.scalarText(vf.value(), vf.path());
                if (value != null && "regex".equals(type)) {
                    value = regex(w, vf, value);
                }
            }
            if (!has || name == null || type == null || value == null) {
                ok = false;
                continue;
            }
            out.add(new HeaderMatch(name, value, type));
        }
        return ok ? out : null;
    }

    /** Patterns are compiled now so a typo fails at load, not on the first request. */
    private static String regex(Walker w, Field f, String value) {
        if (value.length() > 1000) {
            w.err(f.value(), f.path(), "bad regex: longer than 1000 characters");
            return null;
        }
        try {
            Pattern.compile(value);
            return value;
        } catch (PatternSyntaxException e) {
            w.err(f.value(), f.path(), "bad regex: " + e.getDescription()
                    + (e.getIndex() >= 0 ? " near index " + e.getIndex() : ""));
            return null;
        } catch (RuntimeException | StackOverflowError e) {
            w.err(f.value(), f.path(), "bad regex: " + e.getClass().getSimpleName());
            return null;
        }
    }
}
