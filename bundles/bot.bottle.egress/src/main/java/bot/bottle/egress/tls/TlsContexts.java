package bot.bottle.egress.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;

import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

/**
 * TLS contexts of the proxy: one server context per intercepted host (leaf issued by the bottle CA,
 * cached and renewed before it expires) and one client context for upstreams, which trusts the system
 * store plus an optional extra CA bundle and verifies host names (HTTPS endpoint identification).
 */
public final class TlsContexts {
    private static final int MAX_CACHED = 4096;
    private static final Duration RENEW_BEFORE = Duration.ofDays(2);
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private final java.util.function.Supplier<BottleCa> ca;
    private final SslProvider provider;
    private final SslContext client;
    private final ConcurrentHashMap<String, Leaf> leaves = new ConcurrentHashMap<>();

    private record Leaf(SslContext context, Instant renewAt) {
    }

    public TlsContexts(BottleCa ca, Path extraUpstreamCa) throws IOException, GeneralSecurityException {
        this(() -> ca, extraUpstreamCa, TlsEngine.provider());
    }

    /**
     * With the CA still being made elsewhere (start-up does both at once): {@code ca} is asked for it
     * when the first leaf is issued.
     */
    public TlsContexts(java.util.function.Supplier<BottleCa> ca, Path extraUpstreamCa)
            throws IOException, GeneralSecurityException {
        this(ca, extraUpstreamCa, TlsEngine.provider());
    }

    /** With an explicit engine (tests run both). */
    TlsContexts(BottleCa ca, Path extraUpstreamCa, SslProvider provider) throws IOException, GeneralSecurityException {
        this(() -> ca, extraUpstreamCa, provider);
    }

    private TlsContexts(java.util.function.Supplier<BottleCa> ca, Path extraUpstreamCa, SslProvider provider)
            throws IOException, GeneralSecurityException {
        this.ca = ca;
        this.provider = provider;
        this.client = SslContextBuilder.forClient()
                .sslProvider(provider)
                .protocols(PROTOCOLS)
                .trustManager(trust(extraUpstreamCa))
                .endpointIdentificationAlgorithm("HTTPS")
                .build();
    }

    public SslContext client() {
        return client;
    }

    /** The cached server context for a host when present and not due for renewal, else null (no issuing). */
    public SslContext cachedServerFor(String host) {
        Leaf l = leaves.get(host);
        return l != null && Instant.now().isBefore(l.renewAt) ? l.context : null;
    }

    /** The server context for a host; issues (on the calling thread) when absent or about to expire. */
    public SslContext serverFor(String host) throws GeneralSecurityException, SSLException {
        Leaf l = leaves.get(host);
        Instant now = Instant.now();
        if (l != null && now.isBefore(l.renewAt)) {
            return l.context;
        }
        BottleCa issuer = ca.get();
        X509Certificate leaf = issuer.issue(host);
        SslContext ctx = SslContextBuilder.forServer(issuer.leafKey(), leaf, issuer.certificate())
                .sslProvider(provider)
                .protocols(PROTOCOLS)
                .build();
        if (leaves.size() >= MAX_CACHED) {
            leaves.clear(); // bounded: a flood of distinct names costs re-issuing, never memory
        }
        leaves.put(host, new Leaf(ctx, leaf.getNotAfter().toInstant().minus(RENEW_BEFORE)));
        return ctx;
    }

    /** System trust store plus every certificate in the optional PEM bundle, as one PKIX trust manager. */
    static TrustManagerFactory trust(Path extra) throws IOException, GeneralSecurityException {
        TrustManagerFactory sys = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        sys.init((KeyStore) null);
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        int i = 0;
        for (var tm : sys.getTrustManagers()) {
            if (tm instanceof X509TrustManager x) {
                for (X509Certificate c : x.getAcceptedIssuers()) {
                    ks.setCertificateEntry("system-" + i++, c);
                }
            }
        }
        if (extra != null) {
            Collection<? extends Certificate> certs;
            try (InputStream in = Files.newInputStream(extra)) {
                certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            }
            if (certs.isEmpty()) {
                throw new IOException(extra + ": no PEM certificate found");
            }
            for (Certificate c : certs) {
                ks.setCertificateEntry("extra-" + i++, c);
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        return tmf;
    }
}
