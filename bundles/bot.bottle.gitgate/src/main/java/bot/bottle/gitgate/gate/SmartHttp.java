package bot.bottle.gitgate.gate;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.zip.GZIPInputStream;

import org.eclipse.jgit.transport.PacketLineOut;
import org.eclipse.jgit.transport.ReceivePack;
import org.eclipse.jgit.transport.RefAdvertiser.PacketLineOutRefAdvertiser;
import org.eclipse.jgit.transport.UploadPack;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;

/**
 * Git's smart HTTP protocol (stateless RPC, protocol v0) over the JDK's HTTP server, driving JGit's
 * {@link UploadPack} and {@link ReceivePack} directly:
 *
 * <pre>
 * GET  /&lt;repo&gt;[.git]/info/refs?service=git-upload-pack|git-receive-pack
 * POST /&lt;repo&gt;[.git]/git-upload-pack
 * POST /&lt;repo&gt;[.git]/git-receive-pack
 * </pre>
 *
 * Dumb HTTP, unknown repositories and anything else get a 404/403 with a one-line reason.
 */
final class SmartHttp implements HttpHandler {

    private static final Logger LOG = Logger.getLogger(SmartHttp.class.getName());
    private static final String UPLOAD = "git-upload-pack";
    private static final String RECEIVE = "git-receive-pack";
    /** Fetch negotiation bodies are small; a bigger one is refused. */
    private static final long MAX_UPLOAD_REQUEST = 64L << 20;

    private final Map<String, GateRepo> repos;
    private final ReceivePackFactory receivePacks;

    interface ReceivePackFactory {
        ReceivePack create(GateRepo repo);
    }

    SmartHttp(Map<String, GateRepo> repos, ReceivePackFactory receivePacks) {
        this.repos = repos;
        this.receivePacks = receivePacks;
    }

    @Override
    public void handle(HttpExchange ex) throws IOException {
        try (ex) {
            route(ex);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "git gate: request failed", e);
        }
    }

    private void route(HttpExchange ex) throws IOException {
        URI uri = ex.getRequestURI();
        String path = uri.getRawPath();
        String method = ex.getRequestMethod();
        String[] parts = path.split("/");
        // "", repo, tail...
        if (parts.length < 3) {
            text(ex, 404, "not found: use http://<gate>/<repo>");
            return;
        }
        String name = parts[1].endsWith(".git") ? parts[1].substring(0, parts[1].length() - 4) : parts[1];
        GateRepo repo = repos.get(name);
        if (repo == null) {
            text(ex, 404, "git-gate: no repository '" + Redactorless.clean(name) + "' in this bottle");
            return;
        }
        String tail = path.substring(parts[1].length() + 1);
        if (tail.equals("/info/refs") && method.equals("GET")) {
            String service = query(uri.getRawQuery(), "service");
            if (UPLOAD.equals(service)) {
                advertiseUpload(ex, repo);
            } else if (RECEIVE.equals(service)) {
                advertiseReceive(ex, repo);
            } else {
                text(ex, 403, "git-gate: only git's smart HTTP protocol is served");
            }
        } else if (tail.equals("/" + UPLOAD) && method.equals("POST")) {
            upload(ex, repo);
        } else if (tail.equals("/" + RECEIVE) && method.equals("POST")) {
            receive(ex, repo);
        } else {
            text(ex, 404, "not found");
        }
    }

    private void advertiseUpload(HttpExchange ex, GateRepo repo) throws IOException {
        String refreshError = null;
        try {
            repo.refresh();
        } catch (IOException | RuntimeException e) {
            refreshError = "git-gate: cannot refresh from the upstream " + repo.upstream().display() + ": "
                    + PushGuard.oneLine(e);
        }
        ex.getResponseHeaders().set("Content-Type", "application/x-" + UPLOAD + "-advertisement");
        ex.getResponseHeaders().set("Cache-Control", "no-cache, max-age=0, must-revalidate");
        ex.sendResponseHeaders(200, 0);
        try (OutputStream out = ex.getResponseBody()) {
            PacketLineOut pck = new PacketLineOut(out);
            pck.writeString("# service=" + UPLOAD + "\n");
            pck.end();
            if (refreshError != null) {
                // git prints "fatal: remote error: <text>": the agent learns why, nothing stale is served silently
                pck.writeString("ERR " + refreshError);
                pck.flush();
                return;
            }
            UploadPack up = new UploadPack(repo.repository());
            up.setBiDirectionalPipe(false);
            up.sendAdvertisedRefs(new PacketLineOutRefAdvertiser(pck));
        }
    }

    private void advertiseReceive(HttpExchange ex, GateRepo repo) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/x-" + RECEIVE + "-advertisement");
        ex.getResponseHeaders().set("Cache-Control", "no-cache, max-age=0, must-revalidate");
        ex.sendResponseHeaders(200, 0);
        try (OutputStream out = ex.getResponseBody()) {
            PacketLineOut pck = new PacketLineOut(out);
            pck.writeString("# service=" + RECEIVE + "\n");
            pck.end();
            ReceivePack rp = receivePacks.create(repo);
            rp.setBiDirectionalPipe(false);
            rp.sendAdvertisedRefs(new PacketLineOutRefAdvertiser(pck));
        }
    }

    private void upload(HttpExchange ex, GateRepo repo) throws IOException {
        if (!contentType(ex, UPLOAD)) {
            return;
        }
        ex.getResponseHeaders().set("Content-Type", "application/x-" + UPLOAD + "-result");
        ex.getResponseHeaders().set("Cache-Control", "no-cache, max-age=0, must-revalidate");
        ex.sendResponseHeaders(200, 0);
        try (InputStream in = new Bounded(body(ex), MAX_UPLOAD_REQUEST); OutputStream out = ex.getResponseBody()) {
            UploadPack up = new UploadPack(repo.repository());
            up.setBiDirectionalPipe(false);
            up.upload(in, out, null);
        }
    }

    private void receive(HttpExchange ex, GateRepo repo) throws IOException {
        if (!contentType(ex, RECEIVE)) {
            return;
        }
        ex.getResponseHeaders().set("Content-Type", "application/x-" + RECEIVE + "-result");
        ex.getResponseHeaders().set("Cache-Control", "no-cache, max-age=0, must-revalidate");
        ex.sendResponseHeaders(200, 0);
        try (InputStream in = body(ex); OutputStream out = ex.getResponseBody()) {
            ReceivePack rp = receivePacks.create(repo);
            rp.setBiDirectionalPipe(false);
            // One push at a time per repository: the upstream comparison, the scan and the local ref
            // update must see the same state.
            repo.lock().lock();
            try {
                rp.receive(in, out, null);
            } finally {
                repo.lock().unlock();
            }
        }
    }

    private static boolean contentType(HttpExchange ex, String service) throws IOException {
        String ct = ex.getRequestHeaders().getFirst("Content-Type");
        if (ct == null || !ct.startsWith("application/x-" + service + "-request")) {
            text(ex, 415, "git-gate: expected Content-Type application/x-" + service + "-request");
            return false;
        }
        return true;
    }

    private static InputStream body(HttpExchange ex) throws IOException {
        String enc = ex.getRequestHeaders().getFirst("Content-Encoding");
        InputStream in = ex.getRequestBody();
        if (enc == null || enc.isEmpty() || enc.equalsIgnoreCase("identity")) {
            return in;
        }
        if (enc.equalsIgnoreCase("gzip") || enc.equalsIgnoreCase("x-gzip")) {
            return new GZIPInputStream(in, 8192);
        }
        throw new IOException("unsupported Content-Encoding " + enc);
    }

    private static String query(String raw, String key) {
        if (raw == null) {
            return null;
        }
        for (String kv : raw.split("&")) {
            int eq = kv.indexOf('=');
            if (eq > 0 && kv.substring(0, eq).equals(key)) {
                return kv.substring(eq + 1);
            }
        }
        return null;
    }

    static void text(HttpExchange ex, int status, String msg) throws IOException {
        byte[] b = (msg + "\n").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    /** Refuses request bodies over a limit instead of reading them whole. */
    private static final class Bounded extends java.io.FilterInputStream {
        private long left;

        Bounded(InputStream in, long limit) {
            super(in);
            this.left = limit;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                throw new IOException("request body too large");
            }
            int b = super.read();
            if (b >= 0) {
                left--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                throw new IOException("request body too large");
            }
            int n = super.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }
    }

    /** Names echoed in errors are agent input: keep them printable. */
    private static final class Redactorless {
        static String clean(String s) {
            String c = bot.bottle.gitgate.scan.Redactor.clean(s);
            return c.length() > 100 ? c.substring(0, 100) : c;
        }
    }
}
