package bot.bottle.agent.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

/**
 * A local stand-in for a provider's API host: a real TLS server on a loopback address, port 443, with
 * a certificate for the API host issued by its own test CA (the egress proxy trusts that CA as its
 * upstream CA). Records every request's method, path and headers; answers each with {@code status}
 * and a small JSON error body, so a CLI fails fast after its first call.
 */
public final class StandInApi implements AutoCloseable {
    /** One request as the stand-in saw it; header names lower-cased. */
    public record Seen(String method, String path, Map<String, List<String>> headers) {
        public String header(String name) {
            List<String> v = headers.get(name.toLowerCase(java.util.Locale.ROOT));
            return v == null || v.isEmpty() ? null : v.get(0);
        }
    }

    private final HttpsServer server;
    private final Path caPem;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();

    private StandInApi(HttpsServer server, Path caPem) {
        this.server = server;
        this.caPem = caPem;
    }

    /**
     * Starts a stand-in for {@code host} on {@code address}:443 (a loopback address other than
     * 127.0.0.1 keeps it clear of anything else listening on the host's port 443).
     */
    public static StandInApi start(String host, InetAddress address, Path dir, int status) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        KeyPair caKey = g.generateKeyPair();
        KeyPair leafKey = g.generateKeyPair();
        Date from = new Date(System.currentTimeMillis() - 3_600_000L);
        Date to = new Date(System.currentTimeMillis() + 86_400_000L);
        X500Name caName = new X500Name("CN=bot-bottle test upstream CA");
        X509Certificate ca = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
                caName, new BigInteger(64, new SecureRandom()), from, to, caName, caKey.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKey.getPrivate())));
        X509Certificate leaf = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
                caName, new BigInteger(64, new SecureRandom()), from, to, new X500Name("CN=" + host), leafKey.getPublic())
                .addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(new GeneralName(GeneralName.dNSName, host)))
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKey.getPrivate())));
        Path pem = dir.resolve("upstream-ca.pem");
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            w.writeObject(ca);
        }
        Files.writeString(pem, sw.toString());

        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        char[] pw = "standin".toCharArray();
        ks.setKeyEntry("leaf", leafKey.getPrivate(), pw, new java.security.cert.Certificate[] {leaf, ca});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, pw);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);

        HttpsServer s = HttpsServer.create(new InetSocketAddress(address, 443), 16);
        s.setHttpsConfigurator(new HttpsConfigurator(tls));
        s.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "stand-in-" + host);
            t.setDaemon(true);
            return t;
        }));
        StandInApi api = new StandInApi(s, pem);
        s.createContext("/", ex -> api.handle(ex, status));
        s.start();
        return api;
    }

    private void handle(HttpExchange ex, int status) throws IOException {
        Map<String, List<String>> h = new TreeMap<>();
        ex.getRequestHeaders().forEach((k, v) -> h.put(k.toLowerCase(java.util.Locale.ROOT), List.copyOf(v)));
        ex.getRequestBody().readAllBytes();
        seen.add(new Seen(ex.getRequestMethod(), ex.getRequestURI().toString(), h));
        byte[] body = ("{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":\"bot-bottle stand-in\"}}")
                .getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("content-type", "application/json");
        ex.sendResponseHeaders(status, body.length);
        try (var out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    /** The CA that issued the stand-in's certificate (PEM file), for the proxy's {@code --upstream-ca}. */
    public Path caPem() {
        return caPem;
    }

    public List<Seen> seen() {
        return new ArrayList<>(seen);
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }

}
