package bot.bottle.egress.proxy;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import bot.bottle.api.dlp.DlpException;
import bot.bottle.api.dlp.DlpScanner;
import bot.bottle.api.dlp.Finding;
import bot.bottle.api.dlp.Finding.Severity;
import bot.bottle.api.dlp.ScanInput;
import bot.bottle.api.dlp.Direction;
import bot.bottle.api.text.LiteralSet;
import bot.bottle.egress.routes.RoutesConfig;
import bot.bottle.egress.routes.RoutesConfig.OnMatch;
import bot.bottle.egress.routes.RoutesConfig.Route;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * The DLP hooks. They run on worker threads, or on the event loop for a message whose scan costs less
 * than the hand-off ({@link ClientHandler#INLINE_SCAN_BYTES}, {@link ScanCost}); a supervise hold is
 * always asked on a worker.
 *
 * <p>Outbound, before forwarding: the agent's headers (minus Host, and minus Authorization on a route
 * that replaces it), the path with its query, and the decoded body. A CERTAIN finding always refuses; a
 * HIGH or LOW finding follows the route's {@code outbound_on_match}: {@code block} refuses HIGH,
 * {@code redact} replaces the spans and re-scans, {@code supervise} (the default) asks the
 * {@link HoldDecider}; LOW findings are at most supervised. INFO findings are logged only.
 *
 * <p>Inbound, before returning: response headers and decoded body. Inbound findings never block (the
 * content is coming in, not leaving): CERTAIN and HIGH spans are redacted, LOW and INFO are logged.
 * Independently of detectors, every injected token value is redacted from inbound headers and body
 * (the reflection guard, SECURITY-NOTES 3).
 *
 * <p>No scanner while a route needs one, or a scanner that throws: refused (fail closed).
 */
final class DlpStage {
    static final String MARK = "[REDACTED]";

    private DlpStage() {
    }

    /** A surface of an exchange: where its text lives so a redaction can be written back. */
    private record Surface(String name, String headerName, int headerIndex, String text, byte[] latin1) {
        Surface(String name, String headerName, int headerIndex, String text) {
            this(name, headerName, headerIndex, text, null);
        }
    }

    /** Outbound result: null refusal means go on (the exchange may have been redacted in place). */
    static CompletionStage<Refusal> outbound(ProxyState st, Exchange ex, RoutesConfig routes, byte[] decoded,
                                             BodyCodec.Text bodyText) {
        Route route = ex.route;
        if (!route.outbound().enabled()) {
            return done(null);
        }
        DlpScanner scanner = st.scanner.get();
        if (scanner == null) {
            return done(Refusal.forbidden("dlp-unavailable",
                    "outbound scanning is required on " + ex.host + " but no DLP scanner is running"));
        }
        List<Surface> surfaces = outboundSurfaces(ex, bodyText);
        List<Finding> findings;
        try {
            findings = scan(scanner, st, routes, surfaces, Direction.OUTBOUND, ex.host, route.outbound().idSet());
        } catch (DlpException | RuntimeException e) {
            return done(Refusal.forbidden("dlp-error", "outbound scan failed (" + e.getClass().getSimpleName()
                    + "); refused"));
        }
        redactLogPath(ex, findings, scanner);
        List<Finding> actionable = new ArrayList<>();
        for (Finding f : findings) {
            if (f.severity() == Severity.CERTAIN) {
                return done(Refusal.forbidden("dlp", "outbound DLP: " + describe(f) + " (certain)"));
            }
            if (f.severity() == Severity.INFO) {
                st.log.warn(ex.host, ex.method, ex.logPath, "outbound DLP info: " + describe(f), null);
            } else {
                actionable.add(f);
            }
        }
        // Values an operator approved earlier pass; anything else in the same request is still acted on.
        actionable.removeIf(f -> st.approved.contains(matched(surfaces, f)));
        if (actionable.isEmpty()) {
            return done(null);
        }
        OnMatch policy = route.effectiveOnMatch();
        boolean anyHigh = actionable.stream().anyMatch(f -> f.severity() == Severity.HIGH);
        if (policy == OnMatch.REDACT) {
            return done(redactOutbound(st, ex, routes, scanner, surfaces, actionable, bodyText));
        }
        if (policy == OnMatch.BLOCK && anyHigh) {
            return done(Refusal.forbidden("dlp", "outbound DLP: " + describe(actionable.get(0))));
        }
        List<String> excerpts = new ArrayList<>(actionable.size());
        List<String> values = new ArrayList<>(actionable.size());
        for (Finding f : actionable) {
            excerpts.add(excerpt(surfaces, findings, f));
            values.add(matched(surfaces, f));
        }
        HoldDecider.Hold hold = new HoldDecider.Hold(ex.host, ex.method, ex.logPath, actionable, excerpts);
        CompletionStage<HoldDecider.Decision> decision;
        try {
            // On a worker even when the scan ran on the event loop: a decider may write files or block.
            decision = CompletableFuture.supplyAsync(() -> st.hold.decide(hold), st.workers).thenCompose(d -> d);
        } catch (RuntimeException e) {
            decision = CompletableFuture.failedFuture(e);
        }
        Refusal denied = Refusal.forbidden("dlp-supervise", "outbound DLP: " + describe(actionable.get(0))
                + "; held for supervision and denied");
        return decision.handle((d, err) -> {
            if (err == null && d == HoldDecider.Decision.ALLOW) {
                st.approved.addAll(values);
                st.log.warn(ex.host, ex.method, ex.logPath, "outbound DLP: " + values.size()
                        + " held value(s) approved by the operator; allowed for this proxy's lifetime", null);
                return null;
            }
            return denied;
        });
    }

    /** The text a finding matched (memory only: compared with approved values, never logged). */
    private static String matched(List<Surface> surfaces, Finding f) {
        for (Surface s : surfaces) {
            if (s.name.equals(f.surface())) {
                int end = Math.min(f.end(), s.text.length());
                return s.text.substring(Math.min(f.start(), end), end);
            }
        }
        return "";
    }

    /** Context chars kept on each side of a match in an operator's excerpt. */
    private static final int CONTEXT = 24;

    /**
     * A short excerpt around {@code focus} for the operator: every match of the same surface inside
     * the window is replaced by {@code [REDACTED:<rule>]}, control and bidi characters are dropped, so the
     * excerpt never carries a secret or a terminal trick.
     */
    static String excerpt(List<Surface> surfaces, List<Finding> all, Finding focus) {
        String text = "";
        for (Surface s : surfaces) {
            if (s.name.equals(focus.surface())) {
                text = s.text;
            }
        }
        int from = Math.max(0, focus.start() - CONTEXT);
        int to = Math.min(text.length(), focus.end() + CONTEXT);
        List<Finding> mine = all.stream().filter(f -> f.surface().equals(focus.surface())).toList();
        // A match reaching into the window from outside widens it, so no half of a secret is shown.
        for (Finding f : mine) {
            if (f.start() < to && f.end() > from) {
                from = Math.min(from, f.start());
                to = Math.max(to, Math.min(text.length(), f.end()));
            }
        }
        StringBuilder b = new StringBuilder(focus.surface()).append(": ");
        if (from > 0) {
            b.append("...");
        }
        int i = from;
        while (i < to) {
            Finding at = null;
            for (Finding f : mine) {
                if (f.start() <= i && i < f.end() && (at == null || f.end() > at.end())) {
                    at = f;
                }
            }
            if (at != null) {
                b.append("[REDACTED:").append(at.rule()).append(']');
                i = Math.min(to, at.end());
                continue;
            }
            char c = text.charAt(i++);
            int type = Character.getType(c);
            if (c == '\n' || c == '\t') {
                b.append(' ');
            } else if (type != Character.CONTROL && type != Character.FORMAT && type != Character.SURROGATE) {
                b.append(c);
            }
        }
        if (to < text.length()) {
            b.append("...");
        }
        return b.toString();
    }

    private static Refusal redactOutbound(ProxyState st, Exchange ex, RoutesConfig routes, DlpScanner scanner,
                                          List<Surface> surfaces, List<Finding> findings, BodyCodec.Text bodyText) {
        String hostHeader = null;
        for (Surface s : surfaces) {
            List<Finding> mine = findings.stream().filter(f -> f.surface().equals(s.name)).toList();
            if (mine.isEmpty()) {
                continue;
            }
            String red = scanner.redact(s.text, mine);
            if (s.headerName != null) {
                List<String> all = new ArrayList<>(ex.headers.getAll(s.headerName));
                all.set(s.headerIndex, red);
                ex.headers.remove(s.headerName);
                for (String v : all) {
                    ex.headers.add(s.headerName, v);
                }
            } else if (s.name.equals("path")) {
                String enc = percentEncodeUnsafe(red);
                int q = enc.indexOf('?');
                ex.path = q < 0 ? enc : enc.substring(0, q);
                ex.query = q < 0 ? null : enc.substring(q + 1);
            } else if (s.name.equals("body")) {
                ex.body = bodyText.encode(red);
                ex.headers.remove("content-encoding");
            }
        }
        // Re-scan what will actually leave; anything still found refuses (fail closed).
        BodyCodec.Text again = ex.body.length == 0 ? null : BodyCodec.text(ex.body);
        try {
            List<Finding> left = scan(scanner, st, routes, outboundSurfaces(ex, again), Direction.OUTBOUND, ex.host,
                    ex.route.outbound().idSet());
            for (Finding f : left) {
                if (f.severity() != Severity.INFO) {
                    return Refusal.forbidden("dlp-redact", "outbound DLP: " + describe(f)
                            + " remains after redaction");
                }
            }
        } catch (DlpException | RuntimeException e) {
            return Refusal.forbidden("dlp-error", "outbound re-scan failed; refused");
        }
        st.log.warn(ex.host, ex.method, ex.logPath, "outbound DLP: " + findings.size()
                + " finding(s) redacted before forwarding", null);
        return null;
    }

    private static List<Surface> outboundSurfaces(Exchange ex, BodyCodec.Text body) {
        List<Surface> out = new ArrayList<>();
        headerSurfaces(out, ex.headers, ex.route.hasAuth());
        out.add(new Surface("path", null, 0, ex.target()));
        if (body != null && !body.text().isEmpty()) {
            out.add(new Surface("body", null, 0, body.text(), body.latin1()));
        }
        return out;
    }

    private static void headerSurfaces(List<Surface> out, HttpHeaders headers, boolean skipAuthorization) {
        for (String name : headers.names()) {
            String lower = name.toLowerCase(java.util.Locale.ROOT);
            if (lower.equals("host") || (skipAuthorization && lower.equals("authorization"))) {
                continue;
            }
            List<String> values = headers.getAll(name);
            for (int i = 0; i < values.size(); i++) {
                String surface = "header:" + lower + (i == 0 ? "" : "#" + i);
                out.add(new Surface(surface, name, i, values.get(i)));
            }
        }
    }

    private static List<Finding> scan(DlpScanner scanner, ProxyState st, RoutesConfig routes, List<Surface> surfaces,
                                      Direction dir, String host, java.util.Set<String> ids) throws DlpException {
        List<ScanInput> inputs = new ArrayList<>(surfaces.size());
        for (Surface s : surfaces) {
            inputs.add(new ScanInput(dir, host, s.name, s.text, s.latin1));
        }
        List<Finding> f = scanner.scan(inputs, ids, st.known(scanner, routes));
        if (f == null) {
            throw new DlpException("scanner returned null");
        }
        return f;
    }

    private static void redactLogPath(Exchange ex, List<Finding> findings, DlpScanner scanner) {
        List<Finding> onPath = findings.stream().filter(f -> f.surface().equals("path")).toList();
        if (onPath.isEmpty()) {
            return;
        }
        String red;
        try {
            red = scanner.redact(ex.target(), onPath);
        } catch (RuntimeException e) {
            red = MARK;
        }
        int q = red.indexOf('?');
        ex.logPath = q < 0 ? red : red.substring(0, q);
    }

    static String describe(Finding f) {
        return f.detector() + "/" + f.rule() + " in " + f.surface();
    }

    private static String percentEncodeUnsafe(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (byte x : s.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "-._~!$&'()*+,;=:@/?%".indexOf(c) >= 0;
            if (ok) {
                b.append((char) c);
            } else {
                b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return b.toString();
    }

    // ---- inbound ----------------------------------------------------------------------------------

    /** Result of the inbound hook: headers and body to send, or a refusal. */
    record Inbound(Refusal refusal, boolean modified, byte[] body) {
    }

    /**
     * Scans (and redacts in place) a response. {@code decoded} is the decoded body; when anything is
     * redacted the returned body is the decoded one and the caller drops Content-Encoding.
     */
    static Inbound inbound(ProxyState st, Exchange ex, RoutesConfig routes, HttpHeaders respHeaders, byte[] decoded,
                           int status) {
        boolean modified = false;
        BodyCodec.Text text = BodyCodec.text(decoded);
        String body = text.text();
        // Reflection guard: literal, URL-encoded and base64 forms of the injected value.
        if (ex.injected != null) {
            List<String> forms = reflectionForms(ex.injected);
            List<Map.Entry<String, String>> entries = List.copyOf(respHeaders.entries());
            boolean headerHit = false;
            List<String[]> rebuilt = new ArrayList<>(entries.size());
            for (Map.Entry<String, String> h : entries) {
                String nv = replaceAll(h.getValue(), forms);
                headerHit |= !nv.equals(h.getValue());
                rebuilt.add(new String[] {h.getKey(), nv});
            }
            if (headerHit) {
                // Rebuilt whole, in order, so repeated headers (Set-Cookie) keep every value.
                respHeaders.clear();
                for (String[] kv : rebuilt) {
                    respHeaders.add(kv[0], kv[1]);
                }
                modified = true;
            }
            // One vectorised pass over the bytes decides whether the body needs the per-form string pass.
            LiteralSet guard = guardBytes(ex.injected).orElse(null);
            String nb = guard != null && guard.containsAny(decoded) ? replaceAll(body, forms) : body;
            if (!nb.equals(body)) {
                body = nb;
                modified = true;
                st.log.warn(ex.host, ex.method, ex.logPath, "inbound: injected token reflected by upstream; redacted",
                        status);
            }
        }
        if (ex.route.inbound().enabled()) {
            DlpScanner scanner = st.scanner.get();
            if (scanner == null) {
                return new Inbound(Refusal.forbidden("dlp-unavailable",
                        "inbound scanning is required on " + ex.host + " but no DLP scanner is running"), false, null);
            }
            List<Surface> surfaces = new ArrayList<>();
            headerSurfaces(surfaces, respHeaders, false);
            if (!body.isEmpty()) {
                // the decoded bytes stand for the body unless the guard rewrote it
                surfaces.add(new Surface("body", null, 0, body, body == text.text() ? text.latin1() : null));
            }
            List<Finding> findings;
            try {
                findings = scan(scanner, st, routes, surfaces, Direction.INBOUND, ex.host, ex.route.inbound().idSet());
            } catch (DlpException | RuntimeException e) {
                return new Inbound(Refusal.forbidden("dlp-error", "inbound scan failed ("
                        + e.getClass().getSimpleName() + "); refused"), false, null);
            }
            List<Finding> redact = new ArrayList<>();
            for (Finding f : findings) {
                if (f.severity() == Severity.CERTAIN || f.severity() == Severity.HIGH) {
                    redact.add(f);
                } else {
                    st.log.warn(ex.host, ex.method, ex.logPath, "inbound DLP: " + describe(f), status);
                }
            }
            if (!redact.isEmpty()) {
                for (Surface s : surfaces) {
                    List<Finding> mine = redact.stream().filter(f -> f.surface().equals(s.name)).toList();
                    if (mine.isEmpty()) {
                        continue;
                    }
                    String red = scanner.redact(s.text, mine);
                    if (s.headerName != null) {
                        List<String> all = new ArrayList<>(respHeaders.getAll(s.headerName));
                        all.set(s.headerIndex, red);
                        respHeaders.remove(s.headerName);
                        for (String v : all) {
                            respHeaders.add(s.headerName, v);
                        }
                    } else {
                        body = red;
                    }
                }
                modified = true;
                st.log.warn(ex.host, ex.method, ex.logPath, "inbound DLP: " + redact.size()
                        + " finding(s) redacted", status);
            }
        }
        return new Inbound(null, modified, modified ? text.encode(body) : decoded);
    }

    /** The last token's forms (tokens change only with the environment): one URL and two base64 encodings less per response. */
    private static volatile Map.Entry<String, List<String>> lastForms;

    static List<String> reflectionForms(String v) {
        Map.Entry<String, List<String>> last = lastForms;
        if (last != null && last.getKey().equals(v)) {
            return last.getValue();
        }
        List<String> forms = computeForms(v);
        lastForms = Map.entry(v, forms);
        return forms;
    }

    private static List<String> computeForms(String v) {
        byte[] b = v.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        List<String> forms = new ArrayList<>();
        forms.add(v);
        String url = java.net.URLEncoder.encode(v, java.nio.charset.StandardCharsets.UTF_8);
        if (!url.equals(v)) {
            forms.add(url);
        }
        forms.add(Base64.getEncoder().withoutPadding().encodeToString(b));
        forms.add(Base64.getUrlEncoder().withoutPadding().encodeToString(b));
        // The two alphabets differ only in '+' '/': usually one form, and each form is a pass over the body.
        return forms.stream().distinct().toList();
    }

    /** The last token's body prefilter (see {@link #guardBytes}). */
    private static volatile Map.Entry<String, java.util.Optional<LiteralSet>> lastGuard;

    /**
     * The byte literals whose absence from a body proves that no reflection form (of four chars or more)
     * is in its text: each form's UTF-8 bytes (the text of valid UTF-8) and, when it has one, its
     * ISO-8859-1 bytes (the text of any other body, one char per byte). Empty when the token has no such
     * form (nothing would be replaced).
     */
    static java.util.Optional<LiteralSet> guardBytes(String token) {
        Map.Entry<String, java.util.Optional<LiteralSet>> last = lastGuard;
        if (last != null && last.getKey().equals(token)) {
            return last.getValue();
        }
        java.util.Set<String> lits = new java.util.LinkedHashSet<>();
        for (String f : reflectionForms(token)) {
            if (f.length() < 4) {
                continue;
            }
            lits.add(new String(f.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    java.nio.charset.StandardCharsets.ISO_8859_1));
            if (f.chars().allMatch(c -> c <= 0xFF)) {
                lits.add(f);
            }
        }
        java.util.Optional<LiteralSet> set = lits.isEmpty() ? java.util.Optional.empty()
                : java.util.Optional.of(LiteralSet.of(lits));
        lastGuard = Map.entry(token, set);
        return set;
    }

    private static String replaceAll(String s, List<String> forms) {
        String out = s;
        for (String f : forms) {
            if (f.length() >= 4 && out.contains(f)) {
                out = out.replace(f, MARK);
            }
        }
        return out;
    }

    private static CompletionStage<Refusal> done(Refusal r) {
        return CompletableFuture.completedFuture(r);
    }
}
