package bot.bottle.egress.proxy;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

import bot.bottle.api.dlp.DlpScanner;
import bot.bottle.api.dlp.KnownSecrets;
import bot.bottle.egress.routes.RoutesConfig;
import bot.bottle.egress.tls.TlsContexts;

/** What every connection of one proxy shares. Immutable except the routes snapshot and caches. */
final class ProxyState {
    /** The sidecar's canary variable (seeds: EGRESS_TOKEN_CANARY), compiled into the known secrets. */
    static final String CANARY_ENV = "EGRESS_TOKEN_CANARY";

    volatile RoutesConfig routes;
    final TlsContexts tls;
    final Map<String, ResolvePin> pins;
    final Function<String, String> env;
    final Supplier<DlpScanner> scanner;
    final HoldDecider hold;
    final EgressLog log;
    final ExecutorService workers;
    final Limits limits;
    final UpstreamPool pool = new UpstreamPool();
    /** Learned scan costs per direction: whether a large message is scanned on its loop (ScanCost). */
    final ScanCost outboundCost = new ScanCost();
    final ScanCost inboundCost = new ScanCost();
    /**
     * Values an operator let through ({@code egress-token-allow}): they pass for this proxy's lifetime,
     * and scanning goes on past them. Memory only; never logged or written anywhere.
     */
    final java.util.Set<String> approved = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final AtomicReference<KnownCache> known = new AtomicReference<>();

    /** Size and time limits; every one fails closed. */
    record Limits(int maxRequestBody, int maxResponseBody, int maxHeaderBytes, Duration headTimeout,
                  Duration idleTimeout, Duration upstreamTimeout, Duration connectTimeout) {
    }

    private record KnownCache(DlpScanner scanner, RoutesConfig routes, KnownSecrets known) {
    }

    ProxyState(RoutesConfig routes, TlsContexts tls, List<ResolvePin> pins, Function<String, String> env,
               Supplier<DlpScanner> scanner, HoldDecider hold, EgressLog log, ExecutorService workers, Limits limits) {
        this.routes = routes;
        this.tls = tls;
        Map<String, ResolvePin> m = new HashMap<>();
        for (ResolvePin p : pins) {
            m.put(p.host() + ":" + p.port(), p);
        }
        this.pins = Map.copyOf(m);
        this.env = env;
        this.scanner = scanner;
        this.hold = hold;
        this.log = log;
        this.workers = workers;
        this.limits = limits;
    }

    ResolvePin pin(String host, int port) {
        return pins.get(host + ":" + port);
    }

    /** The token for an env name, or null when unset or empty. */
    String token(String envName) {
        String v = env.apply(envName);
        return v == null || v.isEmpty() ? null : v;
    }

    /**
     * Known secrets for a scanner and the routes in force: every token value the routes name plus the
     * canary. Compiled once per (scanner, routes) pair and reused.
     */
    KnownSecrets known(DlpScanner s, RoutesConfig r) {
        KnownCache c = known.get();
        if (c != null && c.scanner == s && c.routes == r) {
            return c.known;
        }
        Map<String, String> named = new HashMap<>();
        for (String name : r.tokenEnvs()) {
            String v = token(name);
            if (v != null) {
                named.put(name, v);
            }
        }
        String canary = token(CANARY_ENV);
        KnownSecrets k = s.knownSecrets(named, canary == null ? "" : canary);
        known.set(new KnownCache(s, r, k));
        return k;
    }
}
