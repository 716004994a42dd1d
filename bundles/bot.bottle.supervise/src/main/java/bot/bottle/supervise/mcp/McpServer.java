package bot.bottle.supervise.mcp;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import bot.bottle.supervise.core.Applier;
import bot.bottle.supervise.queue.Json;

/**
 * The bottle's MCP server: JSON-RPC 2.0 over the MCP Streamable HTTP transport on {@code POST /mcp},
 * answering every request with a single {@code application/json} body (no SSE stream: tools/call simply
 * holds its POST open until the operator decides). {@code GET /mcp} is 405 (no server-initiated
 * stream), {@code DELETE /mcp} ends a session.
 *
 * <p>Protocol: {@code initialize} negotiates the version (the client's, when supported, else
 * {@value #LATEST}) and opens a session whose id comes back in {@code Mcp-Session-Id}; later requests must
 * carry it (400 without, 404 for an unknown one). An {@code Origin} other than a loopback one is refused
 * (DNS-rebinding defence the spec asks for). Requests run on a bounded worker pool, so one call waiting
 * for the operator never blocks {@code tools/list} or another call.
 */
public final class McpServer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(McpServer.class.getName());

    /** The newest protocol revision this server speaks. */
    public static final String LATEST = "2025-11-25";
    /** Every revision it accepts in {@code initialize} and in the {@code MCP-Protocol-Version} header. */
    public static final List<String> SUPPORTED = List.of(LATEST, "2025-06-18", "2025-03-26", "2024-11-05");

    static final int MAX_BODY = 1 << 20;
    static final int MAX_SESSIONS = 256;

    private final McpConfig config;
    private final McpTools tools;
    private final HttpServer http;
    private final ExecutorService workers;
    private final SecureRandom random = new SecureRandom();
    /** Session id to negotiated version, oldest first so the map can evict. */
    private final Map<String, String> sessions = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > MAX_SESSIONS;
        }
    };

    private McpServer(McpConfig config, Applier applier, HttpServer bound) throws IOException {
        this.config = config;
        this.tools = new McpTools(config, applier);
        this.http = bound != null ? bound : HttpServer.create(config.listen(), 64);
        AtomicInteger n = new AtomicInteger();
        // Bounded: each waiting tools/call holds a worker; the rate limiter caps those per bottle.
        this.workers = new ThreadPoolExecutor(4, 32, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(256), r -> {
            Thread t = new Thread(r, "supervise-mcp-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
        http.setExecutor(workers);
        http.createContext("/", this::handle);
    }

    /** Starts a server; {@link #close()} stops it. */
    public static McpServer start(McpConfig config, Applier applier) throws IOException {
        return start(config, applier, null);
    }

    /**
     * As {@link #start(McpConfig, Applier)} on a server already bound to the config's address (the
     * sidecar kernel's, see {@code KernelService#takeHttpServer}), or binding one when {@code bound} is null.
     */
    public static McpServer start(McpConfig config, Applier applier, HttpServer bound) throws IOException {
        McpServer s;
        try {
            s = new McpServer(config, applier, bound);
        } catch (IOException | RuntimeException e) {
            if (bound != null) {
                bot.bottle.kernel.api.KernelService.release(bound);
            }
            throw e;
        }
        s.http.start();
        return s;
    }

    /** The bound address (port 0 in the config picks a free port). */
    public InetSocketAddress address() {
        return http.getAddress();
    }

    public McpConfig config() {
        return config;
    }

    @Override
    public void close() {
        http.stop(0);
        workers.shutdownNow();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (!"/mcp".equals(ex.getRequestURI().getPath())) {
                plain(ex, 404, "not found: the MCP endpoint is /mcp");
                return;
            }
            if (!originAllowed(ex.getRequestHeaders().getFirst("Origin"))) {
                plain(ex, 403, "origin not allowed");
                return;
            }
            switch (ex.getRequestMethod()) {
                case "POST" -> post(ex);
                case "DELETE" -> delete(ex);
                default -> {
                    ex.getResponseHeaders().set("Allow", "POST, DELETE");
                    plain(ex, 405, "this server offers no SSE stream; POST JSON-RPC messages to /mcp");
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "supervise MCP request failed", e);
        }
    }

    private void delete(HttpExchange ex) throws IOException {
        String id = ex.getRequestHeaders().getFirst("Mcp-Session-Id");
        boolean removed;
        synchronized (sessions) {
            removed = id != null && sessions.remove(id) != null;
        }
        plain(ex, removed ? 200 : 404, removed ? "session ended" : "unknown session");
    }

    private void post(HttpExchange ex) throws IOException {
        String ct = ex.getRequestHeaders().getFirst("Content-Type");
        if (ct == null || !ct.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            plain(ex, 415, "Content-Type must be application/json");
            return;
        }
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readNBytes(MAX_BODY + 1);
        }
        if (body.length > MAX_BODY) {
            plain(ex, 413, "request body larger than " + MAX_BODY + " bytes");
            return;
        }
        JsonNode msg;
        try {
            msg = Json.MAPPER.readTree(new String(body, StandardCharsets.UTF_8));
        } catch (IOException e) {
            json(ex, 400, error(null, RpcError.PARSE_ERROR, "parse error: body is not JSON"));
            return;
        }
        if (msg == null || !msg.isObject()) {
            json(ex, 400, error(null, RpcError.INVALID_REQUEST,
                    msg != null && msg.isArray() ? "JSON-RPC batches are not supported" : "not a JSON-RPC message"));
            return;
        }
        JsonNode id = msg.get("id");
        JsonNode method = msg.get("method");
        if (!"2.0".equals(msg.path("jsonrpc").asText()) || (method != null && !method.isTextual())
                || (id != null && !id.isTextual() && !id.isIntegralNumber() && !id.isNull())) {
            json(ex, 400, error(id, RpcError.INVALID_REQUEST, "not a JSON-RPC 2.0 message"));
            return;
        }
        String m = method == null ? null : method.textValue();
        if ("initialize".equals(m) && id != null) {
            initialize(ex, id, msg.get("params"));
            return;
        }
        // Everything after initialize belongs to a session.
        String session = ex.getRequestHeaders().getFirst("Mcp-Session-Id");
        if (session == null) {
            json(ex, 400, error(id, RpcError.INVALID_REQUEST, "missing Mcp-Session-Id header; call initialize"));
            return;
        }
        synchronized (sessions) {
            if (!sessions.containsKey(session)) {
                json(ex, 404, error(id, RpcError.INVALID_REQUEST, "unknown or expired session; initialize again"));
                return;
            }
        }
        String version = ex.getRequestHeaders().getFirst("MCP-Protocol-Version");
        if (version != null && !SUPPORTED.contains(version)) {
            json(ex, 400, error(id, RpcError.INVALID_REQUEST, "unsupported MCP-Protocol-Version " + version));
            return;
        }
        if (m == null || id == null) {
            // a notification (notifications/initialized, cancelled, ...) or a response: accepted, no body
            ex.sendResponseHeaders(202, -1);
            return;
        }
        ObjectNode reply;
        try {
            reply = result(id, dispatch(m, msg.get("params")));
        } catch (RpcError e) {
            reply = error(id, e.code, e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "supervise MCP " + m + " failed", e);
            reply = error(id, RpcError.INTERNAL_ERROR, "internal error");
        }
        ex.getResponseHeaders().set("Mcp-Session-Id", session);
        json(ex, 200, reply);
    }

    private JsonNode dispatch(String method, JsonNode params) throws RpcError {
        return switch (method) {
            case "ping" -> Json.MAPPER.createObjectNode();
            case "tools/list" -> McpTools.definitions();
            case "tools/call" -> tools.call(params).toJson();
            default -> throw new RpcError(RpcError.METHOD_NOT_FOUND, "method not found: " + method);
        };
    }

    private void initialize(HttpExchange ex, JsonNode id, JsonNode params) throws IOException {
        String asked = params == null ? "" : params.path("protocolVersion").asText("");
        String version = SUPPORTED.contains(asked) ? asked : LATEST;
        byte[] raw = new byte[16];
        random.nextBytes(raw);
        String session = HexFormat.of().formatHex(raw);
        synchronized (sessions) {
            sessions.put(session, version);
        }
        ObjectNode r = Json.MAPPER.createObjectNode();
        r.put("protocolVersion", version);
        r.putObject("capabilities").putObject("tools").put("listChanged", false);
        ObjectNode info = r.putObject("serverInfo");
        info.put("name", "bot-bottle-supervise");
        info.put("version", "0.1.0");
        r.put("instructions", "Supervise for bottle " + config.state().slug() + ". When a request is blocked "
                + "by the egress allowlist, call list-egress-routes, then allow (or egress-block) with the full "
                + "routes file plus your new route and a justification. When the image lacks a tool, call "
                + "capability-block with the full Dockerfile. Each call waits for a human operator.");
        ex.getResponseHeaders().set("Mcp-Session-Id", session);
        json(ex, 200, result(id, r));
    }

    static boolean originAllowed(String origin) {
        if (origin == null || origin.isEmpty()) {
            return true; // non-browser clients send none
        }
        try {
            String host = URI.create(origin).getHost();
            return host != null && (host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]")
                    || host.equals("::1"));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static ObjectNode result(JsonNode id, JsonNode result) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("jsonrpc", "2.0");
        o.set("id", id);
        o.set("result", result);
        return o;
    }

    private static ObjectNode error(JsonNode id, int code, String message) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("jsonrpc", "2.0");
        o.set("id", id == null ? Json.MAPPER.nullNode() : id);
        ObjectNode e = o.putObject("error");
        e.put("code", code);
        e.put("message", message);
        return o;
    }

    private static void json(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] b = Json.compact(body).getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }

    private static void plain(HttpExchange ex, int status, String text) throws IOException {
        byte[] b = (text + "\n").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(status, b.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(b);
        }
    }
}
