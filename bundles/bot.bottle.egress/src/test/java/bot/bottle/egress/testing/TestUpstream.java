package bot.bottle.egress.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.GZIPOutputStream;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import bot.bottle.egress.tls.BottleCa;

/**
 * A loopback upstream for tests: HTTPS with a certificate from a test CA (made with {@link BottleCa},
 * so the proxy trusts it through {@code --upstream-ca}), or plain HTTP. It records every request it
 * receives and answers according to the query: {@code size=N} (N bytes), {@code gzip=1},
 * {@code reflect=1} (echoes the Authorization header it got, in a header and the body),
 * {@code say=TEXT} / {@code say64=BASE64URL} (puts TEXT in the body), {@code status=N}. Paths under {@code /git/} are served by
 * {@code git http-backend} from {@code gitRoot}.
 */
public final class TestUpstream implements AutoCloseable {
    /** One received request. */
    public record Received(String method, String uri, Map<String, List<String>> headers, byte[] body) {
        public String header(String name) {
            List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
            return v == null ? null : String.join(", ", v);
        }
    }

    public final ConcurrentLinkedDeque<Received> received = new ConcurrentLinkedDeque<>();
    private final HttpServer server;
    private final ExecutorService pool = Executors.newFixedThreadPool(8);
    private final Path gitRoot;

    private TestUpstream(HttpServer server, Path gitRoot) {
        this.server = server;
        this.gitRoot = gitRoot;
        server.createContext("/", this::handle);
        server.setExecutor(pool);
        server.start();
    }

    /** HTTPS on 127.0.0.1 with a leaf for {@code hostName} issued by {@code ca}. */
    public static TestUpstream https(BottleCa ca, Path gitRoot, String hostName, String... more) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("leaf", ca.leafKey(), "pw".toCharArray(),
                new Certificate[] {ca.issue(hostName, more), ca.certificate()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "pw".toCharArray());
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), null, null);
        HttpsServer s = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        s.setHttpsConfigurator(new HttpsConfigurator(ssl));
        return new TestUpstream(s, gitRoot);
    }

    public static TestUpstream plain() throws IOException {
        return new TestUpstream(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64), null);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public Received last() {
        return received.peekLast();
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            byte[] body = x.getRequestBody().readAllBytes();
            Map<String, List<String>> h = new HashMap<>();
            x.getRequestHeaders().forEach((k, v) -> h.put(k.toLowerCase(Locale.ROOT), List.copyOf(v)));
            String uri = x.getRequestURI().getRawPath()
                    + (x.getRequestURI().getRawQuery() == null ? "" : "?" + x.getRequestURI().getRawQuery());
            received.add(new Received(x.getRequestMethod(), uri, h, body));
            if (gitRoot != null && x.getRequestURI().getRawPath().startsWith("/git/")) {
                GitCgi.serve(x, gitRoot, body);
                return;
            }
            Map<String, String> q = query(x.getRequestURI().getRawQuery());
            StringBuilder text = new StringBuilder("ok " + x.getRequestMethod() + " " + uri + " body=" + body.length + "\n");
            if (q.containsKey("reflect")) {
                String auth = x.getRequestHeaders().getFirst("Authorization");
                text.append("you sent: ").append(auth).append('\n');
                x.getResponseHeaders().add("X-Echo-Auth", String.valueOf(auth));
            }
            if (q.containsKey("say64")) {
                text.append(new String(java.util.Base64.getUrlDecoder().decode(q.get("say64")),
                        StandardCharsets.UTF_8)).append('\n');
            }
            if (q.containsKey("say")) {
                text.append(java.net.URLDecoder.decode(q.get("say"), StandardCharsets.UTF_8)).append('\n');
            }
            byte[] out = text.toString().getBytes(StandardCharsets.UTF_8);
            if (q.containsKey("size")) {
                out = new byte[Integer.parseInt(q.get("size"))];
                java.util.Arrays.fill(out, (byte) 'a');
            }
            if (q.containsKey("gzip")) {
                ByteArrayOutputStream bo = new ByteArrayOutputStream();
                try (GZIPOutputStream gz = new GZIPOutputStream(bo)) {
                    gz.write(out);
                }
                out = bo.toByteArray();
                x.getResponseHeaders().add("Content-Encoding", "gzip");
            }
            int status = q.containsKey("status") ? Integer.parseInt(q.get("status")) : 200;
            x.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
            if ("HEAD".equals(x.getRequestMethod())) {
                x.sendResponseHeaders(status, -1);
                return;
            }
            x.sendResponseHeaders(status, out.length == 0 ? -1 : out.length);
            try (OutputStream os = x.getResponseBody()) {
                os.write(out);
            }
        }
    }

    static Map<String, String> query(String raw) {
        Map<String, String> m = new HashMap<>();
        if (raw == null) {
            return m;
        }
        for (String p : raw.split("&")) {
            int eq = p.indexOf('=');
            m.put(eq < 0 ? p : p.substring(0, eq), eq < 0 ? "" : p.substring(eq + 1));
        }
        return m;
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }

    /** Minimal CGI bridge to {@code git http-backend} (smart HTTP, protocol v0/v1/v2). */
    static final class GitCgi {
        static void serve(HttpExchange x, Path root, byte[] body) throws IOException {
            ProcessBuilder pb = new ProcessBuilder("git", "http-backend");
            Map<String, String> env = pb.environment();
            env.put("GIT_PROJECT_ROOT", root.toString());
            env.put("GIT_HTTP_EXPORT_ALL", "1");
            env.put("PATH_INFO", x.getRequestURI().getRawPath().substring("/git".length()));
            env.put("QUERY_STRING", x.getRequestURI().getRawQuery() == null ? "" : x.getRequestURI().getRawQuery());
            env.put("REQUEST_METHOD", x.getRequestMethod());
            env.put("REMOTE_USER", "test");
            env.put("REMOTE_ADDR", "127.0.0.1");
            env.put("CONTENT_LENGTH", String.valueOf(body.length));
            String ct = x.getRequestHeaders().getFirst("Content-Type");
            if (ct != null) {
                env.put("CONTENT_TYPE", ct);
            }
            String ce = x.getRequestHeaders().getFirst("Content-Encoding");
            if (ce != null) {
                env.put("HTTP_CONTENT_ENCODING", ce);
            }
            String gp = x.getRequestHeaders().getFirst("Git-Protocol");
            if (gp != null) {
                env.put("GIT_PROTOCOL", gp);
            }
            pb.redirectError(ProcessBuilder.Redirect.DISCARD);
            Process p = pb.start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(body);
            }
            byte[] out;
            try (InputStream is = p.getInputStream()) {
                out = is.readAllBytes();
            }
            int split = indexOf(out, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            int skip = 4;
            if (split < 0) {
                split = indexOf(out, "\n\n".getBytes(StandardCharsets.US_ASCII));
                skip = 2;
            }
            String head = new String(out, 0, Math.max(split, 0), StandardCharsets.ISO_8859_1);
            int status = 200;
            List<String[]> headers = new ArrayList<>();
            for (String line : head.split("\r?\n")) {
                int c = line.indexOf(':');
                if (c < 0) {
                    continue;
                }
                String k = line.substring(0, c).trim();
                String v = line.substring(c + 1).trim();
                if (k.equalsIgnoreCase("Status")) {
                    status = Integer.parseInt(v.split(" ")[0]);
                } else {
                    headers.add(new String[] {k, v});
                }
            }
            for (String[] kv : headers) {
                x.getResponseHeaders().add(kv[0], kv[1]);
            }
            byte[] payload = split < 0 ? new byte[0] : java.util.Arrays.copyOfRange(out, split + skip, out.length);
            x.sendResponseHeaders(status, payload.length == 0 ? -1 : payload.length);
            try (OutputStream os = x.getResponseBody()) {
                os.write(payload);
            }
        }

        private static int indexOf(byte[] a, byte[] pat) {
            outer:
            for (int i = 0; i + pat.length <= a.length; i++) {
                for (int j = 0; j < pat.length; j++) {
                    if (a[i + j] != pat[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }
    }
}
