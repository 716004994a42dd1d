package bot.bottle.demo.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import javax.net.ssl.SSLContext;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

/**
 * The stand-in upstream: plays {@code api.demo.test} and {@code new.demo.test} over TLS with the demo CA,
 * answers every request with a small JSON body, and records what arrived, so the demo can show which
 * Authorization header the upstream saw and that blocked requests never reached it.
 */
public final class StandIn implements AutoCloseable {

    /**
     * One request as the upstream received it.
     *
     * @param host          the Host header
     * @param method        the method
     * @param path          the path (no query)
     * @param authorization the Authorization header, or ""
     * @param bodyBytes     the body's size
     * @param body          the body (the demo's upstream only ever gets harmless bodies, and shows none)
     */
    public record Seen(String host, String method, String path, String authorization, int bodyBytes, String body) {
    }

    private final HttpsServer server;
    private final ExecutorService pool;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();

    private StandIn(HttpsServer server, ExecutorService pool) {
        this.server = server;
        this.pool = pool;
    }

    /** Starts listening on {@code address}; port 0 picks a free one. */
    public static StandIn start(InetSocketAddress address, SSLContext tls) throws IOException {
        HttpsServer server = HttpsServer.create(address, 16);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        ExecutorService pool = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "demo-stand-in");
            t.setDaemon(true);
            return t;
        });
        StandIn s = new StandIn(server, pool);
        server.createContext("/", ex -> {
            try (ex) {
                byte[] body;
                try (InputStream in = ex.getRequestBody()) {
                    body = in.readNBytes(1 << 20);
                }
                String host = String.valueOf(ex.getRequestHeaders().getFirst("Host"));
                String auth = ex.getRequestHeaders().getFirst("Authorization");
                s.seen.add(new Seen(host, ex.getRequestMethod(), ex.getRequestURI().getPath(),
                        auth == null ? "" : auth, body.length, new String(body, StandardCharsets.UTF_8)));
                byte[] reply = ("{\"stand_in\":\"" + host.replaceAll("[^A-Za-z0-9.:-]", "") + "\",\"ok\":true}\n")
                        .getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", "application/json");
                ex.sendResponseHeaders(200, reply.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(reply);
                }
            }
        });
        server.setExecutor(pool);
        server.start();
        return s;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** Everything received so far, in order. */
    public List<Seen> seen() {
        return List.copyOf(seen);
    }

    /** Requests received for a path (any host). */
    public List<Seen> seen(String path) {
        return seen.stream().filter(r -> r.path().equals(path)).toList();
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
