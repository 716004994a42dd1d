package bot.bottle.egress.routes;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

import bot.bottle.egress.routes.RoutesConfig.AuthScheme;
import bot.bottle.egress.routes.RoutesConfig.Detectors;
import bot.bottle.egress.routes.RoutesConfig.HeaderMatch;
import bot.bottle.egress.routes.RoutesConfig.LogLevel;
import bot.bottle.egress.routes.RoutesConfig.MatchEntry;
import bot.bottle.egress.routes.RoutesConfig.MatchType;
import bot.bottle.egress.routes.RoutesConfig.OnMatch;
import bot.bottle.egress.routes.RoutesConfig.PathMatch;
import bot.bottle.egress.routes.RoutesConfig.Route;

/**
 * Parses {@code routes.yaml} (schema from the seeds, see docs/egress.md). SnakeYAML runs in safe mode
 * (plain maps, lists and scalars only) with duplicate keys refused and size, depth and alias limits,
 * so a hostile file can neither run code nor exhaust memory. Every unknown key is refused; every error
 * is one line that names the key path ({@code routes[2].matches[0].paths[1].type: ...}).
 *
 * <p>Regexes are compiled with RE2J: matching is linear in the input whatever the pattern, so a route
 * cannot be turned into a ReDoS against the proxy. Regexes must match the whole path or header value.
 */
public final class RoutesParser {
    /** Largest routes file accepted, in characters. */
    public static final int MAX_CHARS = 1_000_000;

    private static final Set<String> TOP_KEYS = Set.of("log", "routes");
    private static final Set<String> ROUTE_KEYS = Set.of("host", "auth_scheme", "token_env", "matches", "git",
            "dlp", "outbound_on_match", "role");
    private static final Set<String> MATCH_KEYS = Set.of("paths", "methods", "headers");
    private static final Set<String> PATH_KEYS = Set.of("type", "value");
    private static final Set<String> HEADER_KEYS = Set.of("name", "value", "type");
    private static final Set<String> GIT_KEYS = Set.of("fetch");
    private static final Set<String> DLP_KEYS = Set.of("outbound_detectors", "inbound_detectors");
    private static final java.util.regex.Pattern ENV_NAME = java.util.regex.Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final java.util.regex.Pattern TOKEN = java.util.regex.Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final java.util.regex.Pattern DETECTOR_ID = java.util.regex.Pattern.compile("[A-Za-z0-9_.-]+");

    private RoutesParser() {
    }

    /** Parses and validates; throws {@link RoutesException} (one line, key path named) on any error. */
    public static RoutesConfig parse(String text) {
        if (text == null) {
            throw new RoutesException("routes.yaml: no content");
        }
        if (text.length() > MAX_CHARS) {
            throw new RoutesException("routes.yaml: larger than " + MAX_CHARS + " characters");
        }
        Object root;
        try {
            root = yaml().load(text);
        } catch (MarkedYAMLException e) {
            String where = e.getProblemMark() == null ? ""
                    : " at line " + (e.getProblemMark().getLine() + 1) + " column " + (e.getProblemMark().getColumn() + 1);
            throw new RoutesException("routes.yaml: not valid YAML" + where + ": " + oneLine(e.getProblem()));
        } catch (YAMLException e) {
            throw new RoutesException("routes.yaml: not valid YAML: " + oneLine(e.getMessage()));
        }
        Map<String, Object> top = map(root, "(top level)");
        unknownKeys(top, TOP_KEYS, "");
        LogLevel log = parseLog(top.get("log"), top.containsKey("log"));
        if (!top.containsKey("routes")) {
            throw new RoutesException("routes: required key is missing");
        }
        List<Object> rawRoutes = list(top.get("routes"), "routes");
        List<Route> routes = new ArrayList<>(rawRoutes.size());
        Set<String> hosts = new HashSet<>();
        for (int i = 0; i < rawRoutes.size(); i++) {
            Route r = route(rawRoutes.get(i), "routes[" + i + "]");
            if (!hosts.add(r.host())) {
                throw new RoutesException("routes[" + i + "].host: duplicate host " + quote(r.host())
                        + " (one entry per host)");
            }
            routes.add(r);
        }
        return RoutesConfig.of(log, routes);
    }

    private static Yaml yaml() {
        LoaderOptions o = new LoaderOptions();
        o.setAllowDuplicateKeys(false);
        o.setAllowRecursiveKeys(false);
        o.setMaxAliasesForCollections(50);
        o.setNestingDepthLimit(20);
        o.setCodePointLimit(MAX_CHARS);
        o.setProcessComments(false);
        return new Yaml(new SafeConstructor(o));
    }

    private static LogLevel parseLog(Object v, boolean present) {
        if (!present || v == null) {
            return LogLevel.OFF;
        }
        // YAML 1.1 reads a bare `off` as false and `on` as true; the original `log: true` meant full.
        if (v instanceof Boolean b) {
            return b ? LogLevel.FULL : LogLevel.OFF;
        }
        if (v instanceof Integer n && n >= 0 && n <= 2) {
            return LogLevel.values()[n];
        }
        if (v instanceof String s) {
            switch (s.toLowerCase(Locale.ROOT)) {
                case "off": return LogLevel.OFF;
                case "blocks": return LogLevel.BLOCKS;
                case "full": return LogLevel.FULL;
                default: break;
            }
        }
        throw new RoutesException("log: must be off, blocks or full (got " + describe(v) + ")");
    }

    private static Route route(Object raw, String at) {
        Map<String, Object> m = map(raw, at);
        unknownKeys(m, ROUTE_KEYS, at + ".");
        if (m.containsKey("role")) {
            throw new RoutesException(at + ".role: reserved for future use; no value is accepted");
        }
        if (!m.containsKey("host")) {
            throw new RoutesException(at + ".host: required key is missing");
        }
        String rawHost = string(m.get("host"), at + ".host");
        String host;
        try {
            host = HostNames.normalise(rawHost);
        } catch (IllegalArgumentException e) {
            throw new RoutesException(at + ".host: " + e.getMessage() + " (got " + quote(rawHost) + ")");
        }
        boolean hasScheme = m.containsKey("auth_scheme");
        boolean hasEnv = m.containsKey("token_env");
        if (hasScheme != hasEnv) {
            throw new RoutesException(at + "." + (hasScheme ? "token_env" : "auth_scheme")
                    + ": auth_scheme and token_env must be given together");
        }
        AuthScheme scheme = null;
        String tokenEnv = null;
        if (hasScheme) {
            String s = string(m.get("auth_scheme"), at + ".auth_scheme");
            scheme = switch (s) {
                case "Bearer" -> AuthScheme.BEARER;
                case "token" -> AuthScheme.TOKEN;
                default -> throw new RoutesException(at + ".auth_scheme: must be Bearer or token (got "
                        + quote(s) + ")");
            };
            tokenEnv = string(m.get("token_env"), at + ".token_env");
            if (!ENV_NAME.matcher(tokenEnv).matches()) {
                throw new RoutesException(at + ".token_env: must be an environment variable name (got "
                        + quote(tokenEnv) + ")");
            }
        }
        List<MatchEntry> matches = new ArrayList<>();
        if (m.containsKey("matches")) {
            List<Object> raws = list(m.get("matches"), at + ".matches");
            for (int i = 0; i < raws.size(); i++) {
                matches.add(matchEntry(raws.get(i), at + ".matches[" + i + "]"));
            }
        }
        boolean gitFetch = false;
        if (m.containsKey("git")) {
            Map<String, Object> g = map(m.get("git"), at + ".git");
            unknownKeys(g, GIT_KEYS, at + ".git.");
            if (g.containsKey("fetch")) {
                gitFetch = bool(g.get("fetch"), at + ".git.fetch");
            }
        }
        Detectors outbound = Detectors.DEFAULT;
        Detectors inbound = Detectors.DEFAULT;
        if (m.containsKey("dlp")) {
            Map<String, Object> d = map(m.get("dlp"), at + ".dlp");
            unknownKeys(d, DLP_KEYS, at + ".dlp.");
            if (d.containsKey("outbound_detectors")) {
                outbound = detectors(d.get("outbound_detectors"), at + ".dlp.outbound_detectors");
            }
            if (d.containsKey("inbound_detectors")) {
                inbound = detectors(d.get("inbound_detectors"), at + ".dlp.inbound_detectors");
            }
        }
        OnMatch onMatch = null;
        if (m.containsKey("outbound_on_match")) {
            String s = string(m.get("outbound_on_match"), at + ".outbound_on_match");
            onMatch = switch (s) {
                case "block" -> OnMatch.BLOCK;
                case "redact" -> OnMatch.REDACT;
                case "supervise" -> OnMatch.SUPERVISE;
                default -> throw new RoutesException(at + ".outbound_on_match: must be block, redact or supervise"
                        + " (got " + quote(s) + ")");
            };
        }
        return new Route(host, scheme, tokenEnv, matches, gitFetch, outbound, inbound, onMatch);
    }

    private static MatchEntry matchEntry(Object raw, String at) {
        Map<String, Object> m = map(raw, at);
        unknownKeys(m, MATCH_KEYS, at + ".");
        if (m.isEmpty()) {
            throw new RoutesException(at + ": a match entry needs paths, methods or headers");
        }
        List<PathMatch> paths = new ArrayList<>();
        if (m.containsKey("paths")) {
            List<Object> raws = list(m.get("paths"), at + ".paths");
            for (int i = 0; i < raws.size(); i++) {
                paths.add(pathMatch(raws.get(i), at + ".paths[" + i + "]"));
            }
        }
        List<String> methods = new ArrayList<>();
        if (m.containsKey("methods")) {
            List<Object> raws = list(m.get("methods"), at + ".methods");
            for (int i = 0; i < raws.size(); i++) {
                String s = string(raws.get(i), at + ".methods[" + i + "]").toUpperCase(Locale.ROOT);
                if (!TOKEN.matcher(s).matches()) {
                    throw new RoutesException(at + ".methods[" + i + "]: not an HTTP method (got " + quote(s) + ")");
                }
                methods.add(s);
            }
        }
        List<HeaderMatch> headers = new ArrayList<>();
        if (m.containsKey("headers")) {
            List<Object> raws = list(m.get("headers"), at + ".headers");
            for (int i = 0; i < raws.size(); i++) {
                headers.add(headerMatch(raws.get(i), at + ".headers[" + i + "]"));
            }
        }
        return new MatchEntry(paths, methods, headers);
    }

    private static PathMatch pathMatch(Object raw, String at) {
        Map<String, Object> m = map(raw, at);
        unknownKeys(m, PATH_KEYS, at + ".");
        if (!m.containsKey("value")) {
            throw new RoutesException(at + ".value: required key is missing");
        }
        MatchType type = m.containsKey("type") ? matchType(m.get("type"), at + ".type", "prefix, exact or regex")
                : MatchType.PREFIX;
        String value = string(m.get("value"), at + ".value");
        if (type != MatchType.REGEX && !value.startsWith("/")) {
            throw new RoutesException(at + ".value: a path must start with '/' (got " + quote(value) + ")");
        }
        return new PathMatch(type, value, type == MatchType.REGEX ? regex(value, at + ".value") : null);
    }

    private static HeaderMatch headerMatch(Object raw, String at) {
        Map<String, Object> m = map(raw, at);
        unknownKeys(m, HEADER_KEYS, at + ".");
        for (String k : List.of("name", "value")) {
            if (!m.containsKey(k)) {
                throw new RoutesException(at + "." + k + ": required key is missing");
            }
        }
        String name = string(m.get("name"), at + ".name");
        if (!TOKEN.matcher(name).matches()) {
            throw new RoutesException(at + ".name: not a header name (got " + quote(name) + ")");
        }
        MatchType type = m.containsKey("type") ? matchType(m.get("type"), at + ".type", "exact, prefix or regex")
                : MatchType.EXACT;
        String value = string(m.get("value"), at + ".value");
        return new HeaderMatch(name.toLowerCase(Locale.ROOT), type, value,
                type == MatchType.REGEX ? regex(value, at + ".value") : null);
    }

    private static MatchType matchType(Object raw, String at, String allowed) {
        String s = string(raw, at);
        return switch (s) {
            case "prefix" -> MatchType.PREFIX;
            case "exact" -> MatchType.EXACT;
            case "regex" -> MatchType.REGEX;
            default -> throw new RoutesException(at + ": must be one of " + allowed + " (got " + quote(s) + ")");
        };
    }

    private static Pattern regex(String value, String at) {
        try {
            return Pattern.compile(value);
        } catch (PatternSyntaxException e) {
            throw new RoutesException(at + ": not a valid RE2 regex: " + oneLine(e.getDescription()));
        }
    }

    private static Detectors detectors(Object raw, String at) {
        if (Boolean.FALSE.equals(raw)) {
            return Detectors.OFF;
        }
        if (Boolean.TRUE.equals(raw)) {
            return Detectors.DEFAULT;
        }
        if (!(raw instanceof List<?>)) {
            throw new RoutesException(at + ": must be false or a list of detector ids (got " + describe(raw) + ")");
        }
        List<Object> raws = list(raw, at);
        if (raws.isEmpty()) {
            // An empty list would read as "every detector" to the scanner: say false instead.
            throw new RoutesException(at + ": an empty list is ambiguous; use false to disable scanning");
        }
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < raws.size(); i++) {
            String id = string(raws.get(i), at + "[" + i + "]");
            if (!DETECTOR_ID.matcher(id).matches()) {
                throw new RoutesException(at + "[" + i + "]: not a detector id (got " + quote(id) + ")");
            }
            ids.add(id);
        }
        return new Detectors(Detectors.Mode.LIST, ids);
    }

    // ---- typed accessors: each names the key path on error -------------------------------------

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object v, String at) {
        if (!(v instanceof Map<?, ?> raw)) {
            throw new RoutesException(at + ": must be a mapping (got " + describe(v) + ")");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : raw.entrySet()) {
            if (!(e.getKey() instanceof String k)) {
                throw new RoutesException(at + ": keys must be strings (got " + describe(e.getKey()) + ")");
            }
            out.put(k, e.getValue());
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object v, String at) {
        if (!(v instanceof List<?>)) {
            throw new RoutesException(at + ": must be a list (got " + describe(v) + ")");
        }
        return (List<Object>) v;
    }

    private static String string(Object v, String at) {
        if (!(v instanceof String s)) {
            throw new RoutesException(at + ": must be a string (got " + describe(v) + ")");
        }
        return s;
    }

    private static boolean bool(Object v, String at) {
        if (!(v instanceof Boolean b)) {
            throw new RoutesException(at + ": must be true or false (got " + describe(v) + ")");
        }
        return b;
    }

    private static void unknownKeys(Map<String, Object> m, Set<String> allowed, String prefix) {
        for (String k : m.keySet()) {
            if (!allowed.contains(k)) {
                throw new RoutesException(prefix + k + ": unknown key");
            }
        }
    }

    private static String describe(Object v) {
        if (v == null) {
            return "nothing";
        }
        if (v instanceof String s) {
            return quote(s);
        }
        if (v instanceof Map<?, ?>) {
            return "a mapping";
        }
        if (v instanceof List<?>) {
            return "a list";
        }
        return v.getClass().getSimpleName().toLowerCase(Locale.ROOT) + " " + oneLine(String.valueOf(v));
    }

    /** Quotes a value for an error line, escaping control characters so the message stays one line. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        int n = Math.min(s.length(), 80);
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        if (s.length() > n) {
            b.append("...");
        }
        return b.append('"').toString();
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s+", " ").trim();
    }
}
