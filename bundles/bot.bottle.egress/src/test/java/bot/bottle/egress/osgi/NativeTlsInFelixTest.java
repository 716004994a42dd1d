package bot.bottle.egress.osgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.framework.wiring.FrameworkWiring;

/**
 * The bundle as the sidecar runs it: in a real Felix framework with Netty, BouncyCastle, SnakeYAML, SCR
 * and the API installed as separate bundles (as the distribution does), the egress bundle resolves,
 * netty-handler's optional import of {@code io.netty.internal.tcnative} wires to the classes the bundle
 * embeds, the native BoringSSL library loads through {@code Bundle-NativeCode}, and the proxy started
 * from inside the framework terminates an agent's TLS with it.
 */
class NativeTlsInFelixTest {
    @TempDir
    Path dir;

    /** A class from each bundle the egress bundle needs (their jars or folders are installed). */
    private static final List<String> NEEDED = List.of(
            "io.netty.util.Version", "io.netty.buffer.ByteBuf", "io.netty.resolver.AddressResolver",
            "io.netty.channel.Channel", "io.netty.channel.unix.Socket", "io.netty.handler.ssl.SslContext",
            "io.netty.handler.codec.ByteToMessageDecoder", "io.netty.handler.codec.compression.ZlibCodecFactory",
            "io.netty.handler.codec.http.HttpRequestDecoder", "org.bouncycastle.jce.provider.BouncyCastleProvider",
            "org.bouncycastle.cert.X509CertificateHolder", "org.bouncycastle.asn1.bsi.BSIObjectIdentifiers",
            "org.yaml.snakeyaml.Yaml", "bot.bottle.api.dlp.DlpScanner", "org.apache.felix.scr.impl.Activator",
            "org.osgi.util.promise.Promise", "org.osgi.util.function.Function",
            "org.osgi.service.component.ComponentContext",
            "org.apache.felix.service.command.CommandProcessor",
            "bot.bottle.egress.tls.TlsEngine"); // this bundle: target/classes with the bnd-made manifest

    @Test
    void boringSslLoadsInsideTheBundleAndTerminatesTls() throws Exception {
        String arch = System.getProperty("os.arch");
        assumeTrue(System.getProperty("os.name").startsWith("Linux")
                && (arch.equals("amd64") || arch.equals("aarch64")), "native TLS is embedded for Linux only");
        Map<String, String> cfg = new HashMap<>();
        cfg.put(Constants.FRAMEWORK_STORAGE, dir.resolve("felix").toString());
        cfg.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        cfg.put("felix.service.urlhandlers", "false");
        // the kernel's package, as the kernel exports it from the class path (the proxy imports it)
        cfg.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, "bot.bottle.kernel.api;version=1.1.0");
        Framework fw = ServiceLoader.load(FrameworkFactory.class).iterator().next().newFramework(cfg);
        fw.start();
        try {
            BundleContext ctx = fw.getBundleContext();
            List<Bundle> installed = new ArrayList<>();
            Bundle egress = null;
            for (String cls : NEEDED) {
                Path where = Path.of(Class.forName(cls).getProtectionDomain().getCodeSource().getLocation().toURI());
                Bundle b = ctx.installBundle("reference:" + where.toUri());
                installed.add(b);
                if (cls.startsWith("bot.bottle.egress")) {
                    egress = b;
                }
            }
            assertNotNull(egress);
            assertTrue(ctx.getBundle(0).adapt(FrameworkWiring.class).resolveBundles(installed),
                    "every bundle resolves: " + installed.stream().filter(b -> b.getState() == Bundle.INSTALLED)
                            .map(NativeTlsInFelixTest::whyNotResolved).toList());

            Bundle handler = installed.stream().filter(b -> b.getSymbolicName().equals("io.netty.handler"))
                    .findFirst().orElseThrow();
            String from = null;
            for (BundleWire w : handler.adapt(BundleWiring.class).getRequiredWires("osgi.wiring.package")) {
                if ("io.netty.internal.tcnative".equals(w.getCapability().getAttributes().get("osgi.wiring.package"))) {
                    from = w.getProvider().getSymbolicName();
                }
            }
            assertEquals("bot.bottle.egress", from, "netty-handler sees the tcnative classes the bundle embeds");

            String engine = (String) egress.loadClass("bot.bottle.egress.tls.TlsEngine").getMethod("describe")
                    .invoke(null);
            assertTrue(engine.startsWith("openssl (BoringSSL"), engine);
            // loaded from the framework's bundle cache (Bundle-NativeCode), not extracted by Netty to a temp file
            Path storage = dir.resolve("felix").toRealPath();
            assertTrue(Files.readAllLines(Path.of("/proc/self/maps")).stream()
                    .anyMatch(l -> l.contains("libnetty_tcnative") && l.contains(storage.toString())),
                    "BoringSSL mapped from " + storage);

            Path routes = dir.resolve("routes.yaml");
            Files.writeString(routes, "log: blocks\nroutes:\n  - host: api.example.test\n");
            ConcurrentLinkedQueue<String> log = new ConcurrentLinkedQueue<>();
            Class<?> server = egress.loadClass("bot.bottle.egress.proxy.EgressServer");
            Object b = server.getMethod("builder").invoke(null);
            Class<?> bc = b.getClass();
            bc.getMethod("routesFile", Path.class).invoke(b, routes);
            bc.getMethod("stateDir", Path.class).invoke(b, dir.resolve("state"));
            bc.getMethod("listen", InetSocketAddress.class).invoke(b, new InetSocketAddress("127.0.0.1", 0));
            bc.getMethod("logSink", Consumer.class).invoke(b, (Consumer<String>) log::add);
            Object proxy = bc.getMethod("build").invoke(b);
            server.getMethod("start").invoke(proxy);
            try {
                int port = ((InetSocketAddress) server.getMethod("address").invoke(proxy)).getPort();
                assertTrue(String.join("\n", log).contains("\"tls\":\"openssl (BoringSSL"), String.join("\n", log));
                String answer = refusedInsideTunnel(port, dir.resolve("state").resolve("ca.crt"));
                assertTrue(answer.startsWith("HTTP/1.1 403"), answer);
                assertTrue(answer.contains("elsewhere.example.test"), answer);
            } finally {
                server.getMethod("close").invoke(proxy);
            }
        } finally {
            fw.stop();
            fw.waitForStop(10_000);
        }
    }

    private static String whyNotResolved(Bundle b) {
        try {
            b.start();
            return b.getSymbolicName();
        } catch (Exception e) {
            return b.getSymbolicName() + ": " + e.getMessage();
        }
    }

    /** CONNECT to a host without a route, TLS verified against the bottle CA, one GET: the 403 inside. */
    private static String refusedInsideTunnel(int port, Path caCrt) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(caCrt)) {
            ks.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        String host = "elsewhere.example.test";
        try (Socket raw = new Socket("127.0.0.1", port)) {
            raw.setSoTimeout(10_000);
            raw.getOutputStream().write(("CONNECT " + host + ":443 HTTP/1.1\r\nHost: " + host + ":443\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            StringBuilder head = new StringBuilder();
            InputStream rin = raw.getInputStream();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int c = rin.read();
                if (c < 0) {
                    throw new AssertionError("proxy closed during CONNECT: " + head);
                }
                head.append((char) c);
            }
            assertTrue(head.toString().startsWith("HTTP/1.1 200"), head.toString());
            try (SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(raw, host, 443, true)) {
                SSLParameters p = s.getSSLParameters();
                p.setServerNames(List.of(new SNIHostName(host)));
                p.setEndpointIdentificationAlgorithm("HTTPS");
                s.setSSLParameters(p);
                s.startHandshake();
                s.getOutputStream().write(("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                InputStream in = s.getInputStream();
                StringBuilder r = new StringBuilder();
                while (!r.toString().endsWith("\r\n\r\n")) {
                    int c = in.read();
                    if (c < 0) {
                        break;
                    }
                    r.append((char) c);
                }
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length: *([0-9]+)")
                        .matcher(r);
                assertTrue(m.find(), r.toString());
                return r + new String(in.readNBytes(Integer.parseInt(m.group(1))), StandardCharsets.UTF_8);
            }
        }
    }
}
