package bot.bottle.egress.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import bot.bottle.egress.testing.ProxyFixture;

/**
 * Raw-socket abuse cases (SECURITY-NOTES 9 and the list): each must end in a refusal or a clean
 * close, never a forwarded request, and the proxy must keep serving afterwards.
 */
class AbuseTest {
    static final String ROUTES = """
            log: blocks
            routes:
              - host: plain.example.test
              - host: api.example.test
              - host: other.example.test
              - host: reset.example.test
              - host: hang.example.test
            """;

    @TempDir
    static Path dir;
    static ProxyFixture fx;
    static ServerSocket resetServer;
    static ServerSocket hangServer;
    static TrustManagerFactory trustBottle;

    @BeforeAll
    static void start() throws Exception {
        resetServer = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        hangServer = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        Thread reset = new Thread(() -> {
            while (!resetServer.isClosed()) {
                try (Socket s = resetServer.accept()) {
                    s.getInputStream().read(new byte[1024]);
                    s.setSoLinger(true, 0); // RST instead of FIN
                } catch (IOException e) {
                    return;
                }
            }
        });
        reset.setDaemon(true);
        reset.start();
        Thread hang = new Thread(() -> {
            while (!hangServer.isClosed()) {
                try {
                    Socket s = hangServer.accept(); // accepts and never answers
                    s.getInputStream();
                } catch (IOException e) {
                    return;
                }
            }
        });
        hang.setDaemon(true);
        hang.start();
        fx = new ProxyFixture(dir, ROUTES, null, HoldDecider.DENY, b -> b
                .maxRequestBody(64 << 10).maxResponseBody(256 << 10).maxHeaderBytes(8 << 10)
                .headTimeout(Duration.ofMillis(600)).idleTimeout(Duration.ofMillis(1500))
                .upstreamTimeout(Duration.ofMillis(1500))
                .resolve(ResolvePin.parse("reset.example.test:" + resetServer.getLocalPort() + ":127.0.0.1"))
                .resolve(ResolvePin.parse("hang.example.test:" + hangServer.getLocalPort() + ":127.0.0.1")));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(fx.caCert())) {
            ks.setCertificateEntry("bottle", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        trustBottle = tmf;
    }

    @AfterAll
    static void stop() throws IOException {
        fx.close();
        resetServer.close();
        hangServer.close();
    }

    String plainTarget() {
        return "http://plain.example.test:" + fx.plain.port();
    }

    String hostHeader() {
        return "plain.example.test:" + fx.plain.port();
    }

    /** Sends raw bytes, reads until the proxy closes (or the timeout); returns what came back. */
    static String raw(String request, int timeoutMs) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", fx.port()), 5000);
            s.setSoTimeout(timeoutMs);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            return readAll(s.getInputStream());
        }
    }

    static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            out.write("<timeout>".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            out.write(("<" + e.getClass().getSimpleName() + ">").getBytes(StandardCharsets.US_ASCII));
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    /** Asserts a refusal with the status, a closed connection, and nothing forwarded upstream. */
    void refused(int status, String request) throws IOException {
        int before = fx.plain.received.size();
        String resp = raw(request, 5000);
        assertTrue(resp.startsWith("HTTP/1.1 " + status + " "), "expected " + status + " for\n" + request + "\ngot\n" + resp);
        assertTrue(!resp.contains("<timeout>"), "the proxy must close the connection: " + resp);
        assertEquals(before, fx.plain.received.size(), "nothing may be forwarded");
    }

    /** A refusal honours the client's own {@code Connection: close}: answered, then closed. */
    @Test
    void aRefusalClosesWhenTheClientAskedToClose() throws IOException {
        refused(403, "GET http://not-allowed.example.test/ HTTP/1.1\r\nHost: not-allowed.example.test\r\n"
                + "Connection: close\r\n\r\n");
        refused(403, "GET http://not-allowed.example.test/ HTTP/1.0\r\nHost: not-allowed.example.test\r\n\r\n");
        // refused after the body was read (an undecodable body on an allowed route)
        refused(403, "POST " + plainTarget() + "/ HTTP/1.1\r\nHost: " + hostHeader()
                + "\r\nContent-Encoding: bogus\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello");
    }

    @Test
    void contentLengthPlusTransferEncoding() throws IOException {
        refused(400, "POST " + plainTarget() + "/ HTTP/1.1\r\nHost: " + hostHeader()
                + "\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n");
    }

    @Test
    void duplicateOrCommaContentLength() throws IOException {
        refused(400, "POST " + plainTarget() + "/ HTTP/1.1\r\nHost: " + hostHeader()
                + "\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello");
        refused(400, "POST " + plainTarget() + "/ HTTP/1.1\r\nHost: " + hostHeader()
                + "\r\nContent-Length: 5, 5\r\n\r\nhello");
        refused(400, "POST " + plainTarget() + "/ HTTP/1.1\r\nHost: " + hostHeader()
                + "\r\nContent-Length: +5\r\n\r\nhello");
    }

    @Test
    void obsoleteLineFolding() throws IOException {
        refused(400, "GET " + plainTarget() + "/ HTTP/1.1\r\nHost: " + hostHeader()
                + "\r\nX-A: a\r\n b\r\n\r\n");
    }

    @Test
    void bareLfAndBareCr() throws IOException {
        refused(400, "GET " + plainTarget() + "/ HTTP/1.1\nHost: " + hostHeader() + "\n\n");
        refused(400, "GET " + plainTarget() + "/ HTTP/1.1\r\nHost: " + hostHeader() + "\r\nX-A: a\rb\r\n\r\n");
        refused(400, "GET " + plainTarget() + "/ HTTP/1.1\r\nHost: " + hostHeader() + "\r\nX-A: a\nX-B: b\r\n\r\n");
    }

    @Test
    void controlCharactersInHeaders() throws IOException {
        refused(400, "GET " + plainTarget() + "/ HTTP/1.1\r\nHost: " + hostHeader() + "\r\nX-A: a\u0001b\r\n\r\n");
        refused(400, "GET " + plainTarget() + "/ HTTP/1.1\r\nHost: " + hostHeader() + "\r\nX A: b\r\n\r\n");
        refused(400, "GET " + plainTarget() + "/ HTTP/1.1\r\nHost: " + hostHeader() + "\r\nX-A : b\r\n\r\n");
    }

    @Test
    void badChunkSizesAndTransferCodings() throws IOException {
        refused(400, "POST " + plainTarget() + "/ HTTP/1.1\r\nHost: " + hostHeader()
                + "\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n");
        refused(400, "POST " + plainTarget() + "/ HTTP/1.1\r\nHost: " + hostHeader()
                + "\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff1\r\nhello\r\n0\r\n\r\n");
        refused(400, "POST " + plainTarget() + "/ HTTP/1.1\r\nHost: " + hostHeader()
                + "\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n");
        refused(400, "POST " + plainTarget() + "/ HTTP/1.1\r\nHost: " + hostHeader()
                + "\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n");
    }

    @Test
    void chunkedBodyIsReframedForTheUpstream() throws IOException {
        String resp = raw("POST " + plainTarget() + "/c HTTP/1.1\r\nHost: " + hostHeader()
                + "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", 5000);
        assertTrue(resp.startsWith("HTTP/1.1 200 "), resp);
        assertEquals("hello world", new String(fx.plain.last().body()));
        assertEquals("11", fx.plain.last().header("content-length"));
        assertEquals(null, fx.plain.last().header("transfer-encoding"));
    }

    @Test
    void oversizedHeaders() throws IOException {
        refused(400, "GET " + plainTarget() + "/ HTTP/1.1\r\nHost: " + hostHeader() + "\r\nX-Big: "
                + "a".repeat(9000) + "\r\n\r\n");
    }

    @Test
    void oversizedBodiesFailClosed() throws IOException {
        refused(413, "POST " + plainTarget() + "/ HTTP/1.1\r\nHost: " + hostHeader()
                + "\r\nContent-Length: 70000\r\n\r\n" + "a".repeat(100));
        StringBuilder chunked = new StringBuilder("POST " + plainTarget() + "/ HTTP/1.1\r\nHost: " + hostHeader()
                + "\r\nTransfer-Encoding: chunked\r\n\r\n");
        for (int i = 0; i < 20; i++) {
            chunked.append("1000\r\n").append("b".repeat(4096)).append("\r\n");
        }
        chunked.append("0\r\n\r\n");
        refused(413, chunked.toString());
        String resp = raw("GET " + plainTarget() + "/?size=300000 HTTP/1.1\r\nHost: " + hostHeader()
                + "\r\nConnection: close\r\n\r\n", 5000);
        assertTrue(resp.startsWith("HTTP/1.1 502 "), resp);
        assertTrue(resp.contains("larger than 262144 bytes"), resp);
    }

    @Test
    void userInfoAndHostMismatchInAbsoluteForm() throws IOException {
        refused(403, "GET http://user:pw@plain.example.test:" + fx.plain.port() + "/ HTTP/1.1\r\nHost: "
                + hostHeader() + "\r\n\r\n");
        refused(403, "GET " + plainTarget() + "/ HTTP/1.1\r\nHost: api.example.test\r\n\r\n");
        refused(403, "GET http://127.0.0.1:" + fx.plain.port() + "/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        refused(400, "GET https://api.example.test/ HTTP/1.1\r\nHost: api.example.test\r\n\r\n");
    }

    @Test
    void ipLiteralAndUserinfoConnectRefused() throws IOException {
        assertTrue(raw("CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: 127.0.0.1:443\r\n\r\n", 5000)
                .startsWith("HTTP/1.1 403 "));
        assertTrue(raw("CONNECT [::1]:443 HTTP/1.1\r\nHost: [::1]:443\r\n\r\n", 5000).startsWith("HTTP/1.1 403 "));
        assertTrue(raw("CONNECT u@api.example.test:443 HTTP/1.1\r\n\r\n", 5000).startsWith("HTTP/1.1 403 "));
        assertTrue(raw("CONNECT api.example.test HTTP/1.1\r\n\r\n", 5000).startsWith("HTTP/1.1 400 "));
    }

    @Test
    void slowClientsAreCutOff() throws Exception {
        long t0 = System.nanoTime();
        String partial = raw("GET " + plainTarget() + "/ HTTP/1.1\r\nHost: ", 5000);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(partial.startsWith("HTTP/1.1 400 ") && partial.contains("not complete within"), partial);
        assertTrue(ms < 4000, "cut off after " + ms + " ms");
        // trickle one byte at a time: the head deadline still applies
        try (Socket s = new Socket("127.0.0.1", fx.port())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            boolean closed = false;
            for (int i = 0; i < 40 && !closed; i++) {
                try {
                    out.write('G');
                    out.flush();
                    Thread.sleep(100);
                } catch (IOException e) {
                    closed = true;
                }
            }
            String rest = readAll(s.getInputStream());
            assertTrue(closed || rest.startsWith("HTTP/1.1 400 "), rest);
        }
        // an idle connection that never starts a request is closed too
        try (Socket s = new Socket("127.0.0.1", fx.port())) {
            s.setSoTimeout(5000);
            assertEquals(-1, s.getInputStream().read());
        }
    }

    @Test
    void halfClosedConnections() throws IOException {
        try (Socket s = new Socket("127.0.0.1", fx.port())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(("GET " + plainTarget() + "/half HTTP/1.1\r\nHost: " + hostHeader() + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            String resp = readAll(s.getInputStream());
            assertTrue(resp.startsWith("HTTP/1.1 200 "), "a complete request is still answered: " + resp);
            assertTrue(!resp.contains("<timeout>"), resp);
        }
        int before = fx.plain.received.size();
        try (Socket s = new Socket("127.0.0.1", fx.port())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(("POST " + plainTarget() + "/half HTTP/1.1\r\nHost: " + hostHeader()
                    + "\r\nContent-Length: 10\r\n\r\nabc").getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            String resp = readAll(s.getInputStream());
            assertTrue(!resp.contains("<timeout>") && !resp.startsWith("HTTP/1.1 200"), resp);
        }
        assertEquals(before, fx.plain.received.size());
    }

    @Test
    void upstreamResetAndSilence() throws IOException {
        String reset = raw("GET http://reset.example.test:" + resetServer.getLocalPort() + "/ HTTP/1.1\r\nHost: "
                + "reset.example.test:" + resetServer.getLocalPort() + "\r\n\r\n", 5000);
        assertTrue(reset.startsWith("HTTP/1.1 502 "), reset);
        long t0 = System.nanoTime();
        String hang = raw("GET http://hang.example.test:" + hangServer.getLocalPort() + "/ HTTP/1.1\r\nHost: "
                + "hang.example.test:" + hangServer.getLocalPort() + "\r\nConnection: close\r\n\r\n", 8000);
        assertTrue(hang.startsWith("HTTP/1.1 504 "), hang);
        assertTrue((System.nanoTime() - t0) / 1_000_000 < 6000);
    }

    @Test
    void pipelinedRequestsAreNotServedBeyondTheFirst() throws IOException {
        int before = fx.plain.received.size();
        String two = "GET " + plainTarget() + "/one HTTP/1.1\r\nHost: " + hostHeader() + "\r\n\r\n"
                + "GET " + plainTarget() + "/two HTTP/1.1\r\nHost: " + hostHeader() + "\r\n\r\n";
        String resp = raw(two, 5000);
        assertTrue(resp.startsWith("HTTP/1.1 200 "), resp);
        assertTrue(resp.toLowerCase().contains("connection: close"), resp);
        assertEquals(before + 1, fx.plain.received.size());
        assertEquals("/one", fx.plain.last().uri());
    }

    @Test
    void keepAliveStillWorksAfterAbuse() throws IOException {
        String req = "GET " + plainTarget() + "/ka HTTP/1.1\r\nHost: " + hostHeader() + "\r\n\r\n";
        try (Socket s = new Socket("127.0.0.1", fx.port())) {
            s.setSoTimeout(5000);
            for (int i = 0; i < 3; i++) {
                s.getOutputStream().write(req.getBytes(StandardCharsets.US_ASCII));
                String head = readResponse(s.getInputStream());
                assertTrue(head.startsWith("HTTP/1.1 200 "), head);
            }
        }
    }

    /** Reads one response with a Content-Length body. */
    static String readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream h = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            h.write(c);
            String s = h.toString(StandardCharsets.ISO_8859_1);
            if (s.endsWith("\r\n\r\n")) {
                int len = 0;
                for (String line : s.split("\r\n")) {
                    if (line.toLowerCase().startsWith("content-length:")) {
                        len = Integer.parseInt(line.substring(15).trim());
                    }
                }
                return s + new String(in.readNBytes(len), StandardCharsets.ISO_8859_1);
            }
        }
        return h.toString(StandardCharsets.ISO_8859_1);
    }

    /** CONNECT, then TLS with the given SNI (null: none) over the tunnel. */
    static SSLSocket tunnel(String connectHost, String sni) throws Exception {
        // A fresh context each time: the JDK resumes a cached session with the SNI of the first one.
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, trustBottle.getTrustManagers(), null);
        Socket s = new Socket("127.0.0.1", fx.port());
        s.setSoTimeout(5000);
        s.getOutputStream().write(("CONNECT " + connectHost + ":" + fx.https.port() + " HTTP/1.1\r\nHost: "
                + connectHost + ":" + fx.https.port() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        String head = readResponse(s.getInputStream());
        assertTrue(head.startsWith("HTTP/1.1 200 "), head);
        SSLSocket tls = (SSLSocket) ctx.getSocketFactory().createSocket(s, connectHost, fx.https.port(), true);
        SSLParameters p = tls.getSSLParameters();
        p.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
        tls.setSSLParameters(p);
        tls.startHandshake();
        return tls;
    }

    @Test
    void sniMustNameTheConnectHost() {
        assertThrows(SSLException.class, () -> tunnel("api.example.test", "other.example.test").close());
        assertThrows(SSLException.class, () -> tunnel("api.example.test", null).close());
        assertTrue(fx.logText().contains("sni-mismatch"), fx.logText());
    }

    @Test
    void innerHostMustNameTheConnectHost() throws Exception {
        try (SSLSocket tls = tunnel("api.example.test", "api.example.test")) {
            tls.getOutputStream().write(("GET /x HTTP/1.1\r\nHost: other.example.test:" + fx.https.port()
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String resp = readAll(tls.getInputStream());
            assertTrue(resp.startsWith("HTTP/1.1 403 ") && resp.contains("disagrees with the CONNECT target"), resp);
        }
        try (SSLSocket tls = tunnel("api.example.test", "api.example.test")) {
            tls.getOutputStream().write(("GET /ok HTTP/1.1\r\nHost: api.example.test:" + fx.https.port()
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            assertTrue(readResponse(tls.getInputStream()).startsWith("HTTP/1.1 200 "));
            // smuggling inside the tunnel is refused the same way
            tls.getOutputStream().write(("POST /s HTTP/1.1\r\nHost: api.example.test:" + fx.https.port()
                    + "\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            assertTrue(readAll(tls.getInputStream()).startsWith("HTTP/1.1 400 "));
        }
    }
}
