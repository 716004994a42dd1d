package bot.bottle.egress.routes;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import com.google.re2j.Pattern;

/**
 * A parsed, validated {@code routes.yaml}: immutable, safe to share between threads. Built only by
 * {@link RoutesParser}; a reload replaces the whole object.
 *
 * @param log    how much the proxy logs
 * @param routes the routes in file order, one per host
 */
public record RoutesConfig(LogLevel log, List<Route> routes, Map<String, Route> byHost) {

    public RoutesConfig {
        Objects.requireNonNull(log, "log");
        routes = List.copyOf(routes);
        byHost = Map.copyOf(byHost);
    }

    static RoutesConfig of(LogLevel log, List<Route> routes) {
        return new RoutesConfig(log, routes,
                routes.stream().collect(Collectors.toMap(Route::host, Function.identity())));
    }

    /** The route for a normalised host, or {@code null}. Decided without any DNS lookup. */
    public Route route(String normalisedHost) {
        return byHost.get(normalisedHost);
    }

    /** Every {@code token_env} named by a route, for compiling known secrets. */
    public Set<String> tokenEnvs() {
        return routes.stream().filter(Route::hasAuth).map(Route::tokenEnv).collect(Collectors.toUnmodifiableSet());
    }

    /** {@code log:} levels, as the seeds define them (0 off, 1 blocks, 2 full). */
    public enum LogLevel {
        OFF, BLOCKS, FULL;

        public String yaml() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What the proxy does when an outbound detector finds something (see docs/egress.md). */
    public enum OnMatch {
        BLOCK, REDACT, SUPERVISE;

        public String yaml() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** {@code Bearer} or {@code token}: the prefix of the injected {@code Authorization} value. */
    public enum AuthScheme {
        BEARER("Bearer"), TOKEN("token");

        private final String wire;

        AuthScheme(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }
    }

    /**
     * Detector selection for one direction: {@code DEFAULT} (key absent: every active detector),
     * {@code OFF} ({@code false}), or the named list.
     */
    public record Detectors(Mode mode, List<String> ids) {
        public static final Detectors DEFAULT = new Detectors(Mode.DEFAULT, List.of());
        public static final Detectors OFF = new Detectors(Mode.OFF, List.of());

        public enum Mode { DEFAULT, OFF, LIST }

        public Detectors {
            ids = List.copyOf(ids);
        }

        public boolean enabled() {
            return mode != Mode.OFF;
        }

        /** The id set to hand the scanner; empty means every active detector. */
        public Set<String> idSet() {
            return Set.copyOf(ids);
        }
    }

    /** How a path condition compares: prefix (default), exact, or a full-match RE2 regex. */
    public enum MatchType { PREFIX, EXACT, REGEX }

    /** One path condition. The pattern is compiled once at load, linear-time (RE2J). */
    public record PathMatch(MatchType type, String value, Pattern regex) {
        public boolean test(String path) {
            return switch (type) {
                case PREFIX -> path.startsWith(value);
                case EXACT -> path.equals(value);
                case REGEX -> regex.matches(path);
            };
        }
    }

    /** One header condition: the named header (case-insensitive) must have a value that matches. */
    public record HeaderMatch(String name, MatchType type, String value, Pattern regex) {
        public boolean test(String headerValue) {
            return switch (type) {
                case PREFIX -> headerValue.startsWith(value);
                case EXACT -> headerValue.equals(value);
                case REGEX -> regex.matches(headerValue);
            };
        }
    }

    /**
     * One {@code matches} entry: every given part must hold (any listed path, any listed method, every
     * listed header); an empty part places no condition.
     */
    public record MatchEntry(List<PathMatch> paths, List<String> methods, List<HeaderMatch> headers) {
        public MatchEntry {
            paths = List.copyOf(paths);
            methods = List.copyOf(methods);
            headers = List.copyOf(headers);
        }
    }

    /**
     * One allowed host.
     *
     * @param host            normalised host name (lower case, no trailing dot)
     * @param authScheme      injected scheme, or {@code null} for no injection
     * @param tokenEnv        environment variable holding the token, or {@code null}
     * @param matches         request filters; empty allows every request to the host
     * @param gitFetch        {@code git.fetch: true} permits {@code git-upload-pack}
     * @param outbound        outbound detector selection
     * @param inbound         inbound detector selection
     * @param onMatch         outbound policy, {@code null} when the key is absent (then supervise)
     */
    public record Route(String host, AuthScheme authScheme, String tokenEnv, List<MatchEntry> matches,
                        boolean gitFetch, Detectors outbound, Detectors inbound, OnMatch onMatch) {
        public Route {
            Objects.requireNonNull(host, "host");
            matches = List.copyOf(matches);
            Objects.requireNonNull(outbound, "outbound");
            Objects.requireNonNull(inbound, "inbound");
        }

        public boolean hasAuth() {
            return authScheme != null;
        }

        /** The policy in force: absent means {@link OnMatch#SUPERVISE}, as in the seeds. */
        public OnMatch effectiveOnMatch() {
            return onMatch == null ? OnMatch.SUPERVISE : onMatch;
        }
    }
}
