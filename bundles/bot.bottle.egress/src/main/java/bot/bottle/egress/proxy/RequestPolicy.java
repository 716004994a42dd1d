package bot.bottle.egress.proxy;

import java.util.List;
import java.util.Locale;
import java.util.Set;

import bot.bottle.egress.routes.RoutesConfig;
import bot.bottle.egress.routes.RoutesConfig.HeaderMatch;
import bot.bottle.egress.routes.RoutesConfig.MatchEntry;
import bot.bottle.egress.routes.RoutesConfig.PathMatch;
import bot.bottle.egress.routes.RoutesConfig.Route;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * The decisions taken on a request head, before any body is read and before any DNS lookup: host in
 * the routes, DNS-over-HTTPS, git smart-HTTP, protocol upgrades, {@code matches}. Pure functions of the
 * routes snapshot and the head, so each rule has a unit test.
 */
public final class RequestPolicy {
    private RequestPolicy() {
    }

    /**
     * Known DNS-over-HTTPS resolvers. Refused even when a route names one: a bottle's DNS must not leave
     * through an allowed HTTPS door (SECURITY-NOTES 14: hard-deny DoH even when approved).
     */
    public static final Set<String> DOH_HOSTS = Set.of(
            "dns.google", "dns.google.com", "dns64.dns.google", "8888.google",
            "cloudflare-dns.com", "mozilla.cloudflare-dns.com", "one.one.one.one", "1dot1dot1dot1.cloudflare-dns.com",
            "security.cloudflare-dns.com", "family.cloudflare-dns.com", "chrome.cloudflare-dns.com",
            "dns.quad9.net", "dns9.quad9.net", "dns10.quad9.net", "dns11.quad9.net", "dns12.quad9.net",
            "doh.opendns.com", "dns.opendns.com", "doh.familyshield.opendns.com",
            "dns.adguard.com", "dns.adguard-dns.com", "unfiltered.adguard-dns.com", "family.adguard-dns.com",
            "doh.cleanbrowsing.org", "dns.nextdns.io", "doh.dns.sb", "dns.alidns.com", "doh.pub", "doh.360.cn",
            "dns.twnic.tw", "doh.mullvad.net", "dns.mullvad.net", "adblock.dns.mullvad.net", "ordns.he.net",
            "doh.libredns.gr", "dns.controld.com", "freedns.controld.com", "doh.ffmuc.net", "dns.digitale-gesellschaft.ch",
            "doh.applied-privacy.net", "dns.switch.ch", "dns0.eu", "zero.dns0.eu", "kids.dns0.eu", "doh.tiar.app",
            "public.dns.iij.jp", "dns.brahma.world", "dns.rabbitdns.org", "basic.rethinkdns.com", "sky.rethinkdns.com",
            "max.rethinkdns.com", "doh.xfinity.com", "dns.umbrella.com", "doh.umbrella.com", "dns.comss.one",
            "dns.decloudus.com", "doh.sb", "dns.pub", "dns.bebasid.com", "doh.bortzmeyer.fr");

    /** Hop-by-hop and proxy headers: never forwarded either way (RFC 9110 7.6.1). */
    public static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection",
            "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade");

    private static final java.util.regex.Pattern DECIMAL = java.util.regex.Pattern.compile("[0-9]{1,18}");

    /** Refuses a head that is ambiguous about its own framing or syntax (SECURITY-NOTES 9). */
    public static Refusal framing(HttpHeaders h) {
        List<String> cl = h.getAll("content-length");
        List<String> te = h.getAll("transfer-encoding");
        if (!cl.isEmpty() && !te.isEmpty()) {
            return Refusal.bad("smuggling", "Content-Length and Transfer-Encoding together");
        }
        if (cl.size() > 1) {
            return Refusal.bad("smuggling", "more than one Content-Length");
        }
        if (cl.size() == 1 && !DECIMAL.matcher(cl.get(0)).matches()) {
            return Refusal.bad("smuggling", "Content-Length is not a single decimal number");
        }
        if (te.size() > 1 || (te.size() == 1 && !te.get(0).equalsIgnoreCase("chunked"))) {
            return Refusal.bad("smuggling", "Transfer-Encoding other than a single 'chunked'");
        }
        if (h.getAll("host").size() > 1) {
            return Refusal.bad("smuggling", "more than one Host header");
        }
        for (var e : h) {
            if (!validValue(e.getValue())) {
                return Refusal.bad("header-syntax", "control character in header " + safeName(e.getKey()));
            }
        }
        return null;
    }

    private static boolean validValue(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                return false;
            }
        }
        return true;
    }

    static String safeName(String name) {
        return name.length() > 64 ? name.substring(0, 64) + "..." : name;
    }

    /**
     * The route-level decision for a request to an allowed or refused host.
     *
     * @param config  the live routes
     * @param host    normalised host
     * @param method  request method
     * @param path    normalised path (no query)
     * @param query   raw query, or "" when absent
     * @param headers the agent's headers
     * @param tls     whether the request arrived inside an intercepted TLS tunnel
     * @return the route when allowed; a {@link Refusal} otherwise
     */
    public static Object decide(RoutesConfig config, String host, String method, String path, String query,
                                HttpHeaders headers, boolean tls) {
        if (DOH_HOSTS.contains(host)) {
            return Refusal.forbidden("doh", "DNS-over-HTTPS resolvers are always blocked");
        }
        Route route = config.route(host);
        if (route == null) {
            return Refusal.forbidden("host-not-allowed", "host " + host + " is not in the bottle's egress routes");
        }
        if (headers.contains("upgrade") || "PRI".equals(method)) {
            return Refusal.forbidden("upgrade", "protocol upgrades (h2c, WebSocket) are not allowed on this route");
        }
        Refusal git = git(route, method, path, query, headers);
        if (git != null) {
            return git;
        }
        if (isDoh(path, query, headers)) {
            return Refusal.forbidden("doh", "DNS-over-HTTPS requests are always blocked");
        }
        if (!matches(route, method, path, headers)) {
            return Refusal.forbidden("no-match", "request matches none of the route's matches entries for " + host);
        }
        if (route.hasAuth() && !tls) {
            return Refusal.forbidden("auth-needs-tls", "route " + host + " injects a token: use https://");
        }
        return route;
    }

    /** Git smart HTTP: receive-pack (push) never; upload-pack (clone/fetch) only with git.fetch. */
    static Refusal git(Route route, String method, String path, String query, HttpHeaders headers) {
        String service = queryParam(query, "service");
        String ct = headers.get("content-type", "").toLowerCase(Locale.ROOT);
        if (path.endsWith("/git-receive-pack") || "git-receive-pack".equals(service)
                || ct.startsWith("application/x-git-receive-pack")) {
            return Refusal.forbidden("git-push", "git push over HTTPS is refused; pushes go through the git gate");
        }
        boolean upload = path.endsWith("/git-upload-pack") || "git-upload-pack".equals(service)
                || ct.startsWith("application/x-git-upload-pack");
        boolean lfs = path.contains("/info/lfs/");
        if ((upload || lfs) && !route.gitFetch()) {
            return Refusal.forbidden("git-fetch", "git clone/fetch is not enabled for " + route.host()
                    + " (route needs git: {fetch: true})");
        }
        if (lfs && !path.endsWith("/info/lfs/objects/batch")) {
            // Only the batch API is understood (its body is checked for download-only); LFS uploads
            // and locks never leave through the proxy (SECURITY-NOTES 8).
            return Refusal.forbidden("git-lfs", "only Git LFS batch downloads are allowed");
        }
        return null;
    }

    /** True when the body names any LFS operation but download. */
    public static boolean lfsUpload(String path, byte[] body) {
        if (!path.endsWith("/info/lfs/objects/batch")) {
            return false;
        }
        String s = new String(body, java.nio.charset.StandardCharsets.UTF_8).replaceAll("\\s", "");
        return !s.contains("\"operation\":\"download\"") || s.contains("\"operation\":\"upload\"");
    }

    static boolean isDoh(String path, String query, HttpHeaders headers) {
        String ct = headers.get("content-type", "").toLowerCase(Locale.ROOT);
        String accept = headers.get("accept", "").toLowerCase(Locale.ROOT);
        return ct.contains("application/dns-message") || ct.contains("application/dns-json")
                || accept.contains("application/dns-message") || accept.contains("application/dns-json")
                || path.endsWith("/dns-query") || queryParam(query, "dns") != null;
    }

    /** True when the route has no matches, or at least one entry holds entirely. */
    static boolean matches(Route route, String method, String path, HttpHeaders headers) {
        if (route.matches().isEmpty()) {
            return true;
        }
        for (MatchEntry m : route.matches()) {
            if (entry(m, method, path, headers)) {
                return true;
            }
        }
        return false;
    }

    private static boolean entry(MatchEntry m, String method, String path, HttpHeaders headers) {
        if (!m.methods().isEmpty() && !m.methods().contains(method)) {
            return false;
        }
        if (!m.paths().isEmpty()) {
            boolean any = false;
            for (PathMatch p : m.paths()) {
                if (p.test(path)) {
                    any = true;
                    break;
                }
            }
            if (!any) {
                return false;
            }
        }
        for (HeaderMatch hm : m.headers()) {
            boolean any = false;
            for (String v : headers.getAll(hm.name())) {
                if (hm.test(v)) {
                    any = true;
                    break;
                }
            }
            if (!any) {
                return false;
            }
        }
        return true;
    }

    /** The first value of a query parameter (raw, not decoded), or null. */
    static String queryParam(String query, String name) {
        if (query == null || query.isEmpty()) {
            return null;
        }
        for (String part : query.split("&")) {
            int eq = part.indexOf('=');
            String k = eq < 0 ? part : part.substring(0, eq);
            if (k.equalsIgnoreCase(name)) {
                return eq < 0 ? "" : part.substring(eq + 1);
            }
        }
        return null;
    }

    /**
     * Normalises a request path for matching and forwarding (the same string is used for both): must be
     * origin-form, dot segments removed (RFC 3986 5.2.4); encoded dots, slashes and backslashes, raw
     * backslashes, controls and spaces are refused, so a prefix rule cannot be escaped by an encoding
     * that the upstream decodes differently.
     *
     * @throws IllegalArgumentException with a short reason
     */
    public static String normalisePath(String raw) {
        if (raw.isEmpty() || raw.charAt(0) != '/') {
            throw new IllegalArgumentException("path must start with '/'");
        }
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c <= 0x20 || c >= 0x7f || c == '\\' || c == '#') {
                throw new IllegalArgumentException("invalid character in path");
            }
            if (c == '%') {
                if (i + 2 >= raw.length() || Character.digit(raw.charAt(i + 1), 16) < 0
                        || Character.digit(raw.charAt(i + 2), 16) < 0) {
                    throw new IllegalArgumentException("bad percent-encoding in path");
                }
                String hex = raw.substring(i + 1, i + 3).toLowerCase(Locale.ROOT);
                if (hex.equals("2e") || hex.equals("2f") || hex.equals("5c") || hex.equals("00")) {
                    throw new IllegalArgumentException("encoded '.', '/', '\\' or NUL in path");
                }
            }
        }
        if (!raw.contains("/.")) {
            return raw;
        }
        // RFC 3986 5.2.4 remove_dot_segments, on segments
        String[] segs = raw.substring(1).split("/", -1);
        java.util.ArrayDeque<String> out = new java.util.ArrayDeque<>();
        for (int i = 0; i < segs.length; i++) {
            String s = segs[i];
            boolean last = i == segs.length - 1;
            if (s.equals(".")) {
                if (last) {
                    out.addLast("");
                }
            } else if (s.equals("..")) {
                out.pollLast();
                if (last) {
                    out.addLast("");
                }
            } else {
                out.addLast(s);
            }
        }
        return "/" + String.join("/", out);
    }
}
