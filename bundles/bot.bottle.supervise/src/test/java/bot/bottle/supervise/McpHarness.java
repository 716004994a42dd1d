package bot.bottle.supervise;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import bot.bottle.supervise.core.BottleState;
import bot.bottle.supervise.core.Shell;
import bot.bottle.supervise.core.SuperviseCore;
import bot.bottle.supervise.mcp.McpConfig;
import bot.bottle.supervise.mcp.McpServer;
import bot.bottle.supervise.queue.Json;

/** Starts a real MCP server on a loopback port and speaks raw JSON-RPC to it with the JDK client. */
final class McpHarness implements AutoCloseable {
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final McpServer server;
    final URI uri;
    String session;

    McpHarness(Fixtures fx, BottleState state, Duration timeout, int perMinute, InetSocketAddress proxy)
            throws Exception {
        McpConfig config = McpConfig.defaults(state).withListen(new InetSocketAddress("127.0.0.1", 0))
                .withTimeout(timeout, Duration.ofSeconds(1)).withLimits(perMinute, 5)
                .withEgressProxy(proxy == null ? new InetSocketAddress("127.0.0.1", 9) : proxy);
        server = McpServer.start(config, fx.applier());
        uri = URI.create("http://127.0.0.1:" + server.address().getPort() + "/mcp");
    }

    HttpResponse<String> post(String body, String sessionId, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (sessionId != null) {
            b.header("Mcp-Session-Id", sessionId);
        }
        if (headers.length > 0) {
            b.headers(headers);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode initialize(String version) throws Exception {
        HttpResponse<String> r = post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{"
                + "\"protocolVersion\":\"" + version + "\",\"capabilities\":{},"
                + "\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}", null);
        session = r.headers().firstValue("Mcp-Session-Id").orElseThrow();
        post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", session);
        return Json.MAPPER.readTree(r.body());
    }

    JsonNode rpc(String method, ObjectNode params) throws Exception {
        ObjectNode msg = Json.MAPPER.createObjectNode();
        msg.put("jsonrpc", "2.0");
        msg.put("id", 7);
        msg.put("method", method);
        if (params != null) {
            msg.set("params", params);
        }
        HttpResponse<String> r = post(Json.compact(msg), session);
        return Json.MAPPER.readTree(r.body());
    }

    JsonNode call(String tool, String... kv) throws Exception {
        ObjectNode p = Json.MAPPER.createObjectNode();
        p.put("name", tool);
        ObjectNode args = p.putObject("arguments");
        for (int i = 0; i < kv.length; i += 2) {
            args.put(kv[i], kv[i + 1]);
        }
        return rpc("tools/call", p);
    }

    /** Waits (bounded) for a pending proposal of the bottle, as an operator watching the list would. */
    static SuperviseCore.Item awaitPending(SuperviseCore core, String slug, Duration max) throws Exception {
        long end = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < end) {
            Optional<SuperviseCore.Item> i = core.list().items().stream()
                    .filter(x -> x.state().slug().equals(slug) && !x.decided()).findFirst();
            if (i.isPresent()) {
                return i.get();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no proposal from " + slug + " within " + max);
    }

    /** Approves the next proposal of a bottle from another thread. */
    static Thread operator(Shell shell, String slug, boolean approve) {
        Thread t = new Thread(() -> {
            try {
                SuperviseCore.Item i = awaitPending(shell.core(), slug, Duration.ofSeconds(20));
                if (approve) {
                    shell.approve(i.proposal().id(), "");
                } else {
                    shell.reject(i.proposal().id(), "not for " + slug);
                }
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }, "operator-" + slug);
        t.start();
        return t;
    }

    @Override
    public void close() {
        server.close();
    }
}
