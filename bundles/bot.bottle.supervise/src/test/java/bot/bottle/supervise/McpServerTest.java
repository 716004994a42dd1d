package bot.bottle.supervise;

import static org.junit.jupiter.api.Assertions.*;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import bot.bottle.supervise.core.BottleState;
import bot.bottle.supervise.core.SuperviseCore;
import bot.bottle.supervise.mcp.McpServer;

class McpServerTest {

    static final String LIVE = SuperviseCoreTest.LIVE;
    static final String PROPOSED = SuperviseCoreTest.PROPOSED;

    @TempDir
    Path tmp;
    Fixtures fx;
    BottleState dev;

    @BeforeEach
    void setUp() throws Exception {
        fx = new Fixtures(tmp);
        dev = fx.bottle("dev", LIVE);
    }

    McpHarness harness(BottleState b, Duration timeout) throws Exception {
        return new McpHarness(fx, b, timeout, 10, null);
    }

    static String text(JsonNode reply) {
        return reply.path("result").path("content").path(0).path("text").asText();
    }

    static boolean isError(JsonNode reply) {
        return reply.path("result").path("isError").asBoolean(false);
    }

    @Test
    void initializeNegotiatesVersionAndOpensASession() throws Exception {
        try (McpHarness h = harness(dev, Duration.ofSeconds(5))) {
            JsonNode r = h.initialize("2025-06-18");
            assertEquals("2025-06-18", r.path("result").path("protocolVersion").asText());
            assertTrue(r.path("result").path("capabilities").has("tools"));
            assertNotNull(h.session);
            JsonNode r2 = h.initialize("1999-01-01");
            assertEquals(McpServer.LATEST, r2.path("result").path("protocolVersion").asText());
            assertEquals("2025-11-25", McpServer.LATEST);
            assertTrue(h.rpc("ping", null).path("result").isObject());
        }
    }

    @Test
    void transportRulesAreEnforced() throws Exception {
        try (McpHarness h = harness(dev, Duration.ofSeconds(5))) {
            h.initialize(McpServer.LATEST);
            String list = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}";
            assertEquals(400, h.post(list, null).statusCode());
            assertEquals(404, h.post(list, "feedface").statusCode());
            assertEquals(200, h.post(list, h.session).statusCode());
            assertEquals(400, h.post(list, h.session, "MCP-Protocol-Version", "1999-01-01").statusCode());
            assertEquals(403, h.post(list, h.session, "Origin", "http://evil.example").statusCode());
            assertEquals(200, h.post(list, h.session, "Origin", "http://localhost:6274").statusCode());
            HttpResponse<String> parse = h.post("{nope", h.session);
            assertEquals(400, parse.statusCode());
            assertTrue(parse.body().contains("-32700"));
            assertEquals(400, h.post("[" + list + "]", h.session).statusCode());
            assertEquals(202, h.post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\"}", h.session)
                    .statusCode());
            JsonNode unknown = h.rpc("resources/list", null);
            assertEquals(-32601, unknown.path("error").path("code").asInt());
            HttpResponse<String> get = McpHarness.HTTP.send(HttpRequest.newBuilder(h.uri).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(405, get.statusCode());
            HttpResponse<String> del = McpHarness.HTTP.send(HttpRequest.newBuilder(h.uri)
                    .header("Mcp-Session-Id", h.session).DELETE().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, del.statusCode());
            assertEquals(404, h.post(list, h.session).statusCode());
        }
    }

    @Test
    void toolsListTeachesTheRouteSchema() throws Exception {
        try (McpHarness h = harness(dev, Duration.ofSeconds(5))) {
            h.initialize(McpServer.LATEST);
            JsonNode tools = h.rpc("tools/list", null).path("result").path("tools");
            List<String> names = new ArrayList<>();
            tools.forEach(t -> names.add(t.path("name").asText()));
            assertEquals(List.of("list-egress-routes", "allow", "egress-block", "capability-block"), names);
            for (JsonNode t : tools) {
                if (t.path("name").asText().equals("allow") || t.path("name").asText().equals("egress-block")) {
                    assertEquals("[\"routes_yaml\",\"justification\"]", t.path("inputSchema").path("required").toString());
                    String d = t.path("inputSchema").path("properties").path("routes_yaml").path("description").asText();
                    assertTrue(d.contains("auth_scheme: Bearer|token") && d.contains("matches:") && d.contains("git:")
                            && d.contains("dlp:"), d);
                }
            }
        }
    }

    @Test
    void invalidRoutesAndDeniedHostsAreRefusedAtTheTool() throws Exception {
        try (McpHarness h = harness(dev, Duration.ofSeconds(5))) {
            h.initialize(McpServer.LATEST);
            JsonNode bad = h.call("allow", "routes_yaml", "hosts:\n  - x\n", "justification", "j");
            assertTrue(isError(bad));
            assertTrue(text(bad).contains("not valid"), text(bad));
            JsonNode missing = h.call("egress-block", "justification", "j");
            assertTrue(isError(missing));
            JsonNode meta = h.call("allow", "routes_yaml", LIVE + "  - host: 169.254.169.254\n", "justification", "j");
            assertTrue(isError(meta));
            assertTrue(text(meta).contains("metadata"), text(meta));
            JsonNode same = h.call("allow", "routes_yaml", LIVE, "justification", "j");
            assertTrue(isError(same));
            JsonNode unknown = h.call("gitleaks-allow", "x", "y");
            assertEquals(-32602, unknown.path("error").path("code").asInt());
            assertTrue(dev.queue().scan().pending().isEmpty(), "nothing was queued");
        }
    }

    @Test
    void noValidatorBoundRefusesRouteProposals() throws Exception {
        fx.validator = null;
        try (McpHarness h = harness(dev, Duration.ofSeconds(5))) {
            h.initialize(McpServer.LATEST);
            JsonNode r = h.call("allow", "routes_yaml", PROPOSED, "justification", "j");
            assertTrue(isError(r));
            assertTrue(text(r).contains("no routes validator"), text(r));
        }
    }

    @Test
    void timeoutFailsClosedAndWithdrawsTheProposal() throws Exception {
        try (McpHarness h = harness(dev, Duration.ofMillis(800))) {
            h.initialize(McpServer.LATEST);
            long t0 = System.nanoTime();
            JsonNode r = h.call("allow", "routes_yaml", PROPOSED, "justification", "j");
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5));
            assertTrue(isError(r));
            assertTrue(text(r).startsWith("status: timeout"), text(r));
            assertTrue(dev.queue().scan().pending().isEmpty());
            try (var s = Files.list(dev.queue().processedDir())) {
                assertEquals(1, s.count());
            }
            assertEquals(LIVE, Files.readString(dev.routesFile()));
        }
    }

    @Test
    void malformedResponseFailsClosed() throws Exception {
        try (McpHarness h = harness(dev, Duration.ofSeconds(10))) {
            h.initialize(McpServer.LATEST);
            CompletableFuture<Void> forger = CompletableFuture.runAsync(() -> {
                try {
                    SuperviseCore.Item i = McpHarness.awaitPending(fx.core(), "dev", Duration.ofSeconds(5));
                    Files.writeString(dev.queue().dir().resolve(i.proposal().id() + ".response.json"),
                            "{\"proposal_id\":\"" + i.proposal().id() + "\",\"status\":\"APPROVED!!\"}");
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            JsonNode r = h.call("allow", "routes_yaml", PROPOSED, "justification", "j");
            forger.get(10, TimeUnit.SECONDS);
            assertTrue(isError(r));
            assertTrue(text(r).contains("could not be read"), text(r));
            assertEquals(LIVE, Files.readString(dev.routesFile()));
        }
    }

    @Test
    void rejectionSetsIsErrorAndCarriesNotes() throws Exception {
        try (McpHarness h = harness(dev, Duration.ofSeconds(10))) {
            h.initialize(McpServer.LATEST);
            Thread op = McpHarness.operator(fx.shell(), "dev", false);
            JsonNode r = h.call("egress-block", "routes_yaml", PROPOSED, "justification", "j");
            op.join(10_000);
            assertTrue(isError(r));
            assertEquals("status: rejected\nnotes: not for dev\n", text(r));
        }
    }

    @Test
    void capabilityBlockTellsTheAgentWhenItApplies() throws Exception {
        try (McpHarness h = harness(dev, Duration.ofSeconds(10))) {
            h.initialize(McpServer.LATEST);
            Thread op = McpHarness.operator(fx.shell(), "dev", true);
            JsonNode r = h.call("capability-block", "dockerfile", "FROM node:22\nRUN apt-get install -y jq\n",
                    "justification", "need jq");
            op.join(10_000);
            assertFalse(isError(r), text(r));
            assertTrue(text(r).contains("next resume (bot-bottle resume <slug>)"), text(r));
            assertTrue(Files.exists(dev.nextDockerfile()));
        }
    }

    @Test
    void waitingCallDoesNotBlockOtherRequestsAndTwoBottlesDoNotMix() throws Exception {
        BottleState other = fx.bottle("other", LIVE);
        try (McpHarness a = harness(dev, Duration.ofSeconds(15)); McpHarness b = harness(other, Duration.ofSeconds(15))) {
            a.initialize(McpServer.LATEST);
            b.initialize(McpServer.LATEST);
            CompletableFuture<JsonNode> fromDev = CompletableFuture.supplyAsync(() -> {
                try {
                    return a.call("allow", "routes_yaml", PROPOSED, "justification", "dev needs pypi");
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            String otherRoutes = LIVE + "  - host: crates.io\n";
            CompletableFuture<JsonNode> fromOther = CompletableFuture.supplyAsync(() -> {
                try {
                    return b.call("allow", "routes_yaml", otherRoutes, "justification", "other needs crates");
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            SuperviseCore core = fx.core();
            SuperviseCore.Item d = McpHarness.awaitPending(core, "dev", Duration.ofSeconds(5));
            SuperviseCore.Item o = McpHarness.awaitPending(core, "other", Duration.ofSeconds(5));
            assertEquals("dev needs pypi", d.proposal().justification());
            assertEquals("other needs crates", o.proposal().justification());
            // while both calls wait, the server still answers
            long t0 = System.nanoTime();
            assertEquals(4, a.rpc("tools/list", null).path("result").path("tools").size());
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(2));

            fx.shell().approve(o.proposal().id(), "");
            JsonNode otherResult = fromOther.get(10, TimeUnit.SECONDS);
            assertFalse(isError(otherResult), text(otherResult));
            assertFalse(fromDev.isDone(), "dev's call still waits");
            assertEquals(otherRoutes, Files.readString(other.routesFile()));
            assertEquals(LIVE, Files.readString(dev.routesFile()));

            fx.shell().reject(d.proposal().id(), "no");
            JsonNode devResult = fromDev.get(10, TimeUnit.SECONDS);
            assertTrue(isError(devResult));
            assertEquals(LIVE, Files.readString(dev.routesFile()));
            assertEquals(1, dev.audit().entries().size());
            assertEquals("rejected", dev.audit().entries().get(0).get("action").asText());
            assertEquals("approved", other.audit().entries().get(0).get("action").asText());
            // the producer archived both pairs after reading them
            assertTrue(dev.queue().scan().pending().isEmpty() && other.queue().scan().pending().isEmpty());
        }
    }

    @Test
    void proposalsAreRateLimitedPerBottle() throws Exception {
        try (McpHarness h = new McpHarness(fx, dev, Duration.ofMillis(1500), 2, null)) {
            h.initialize(McpServer.LATEST);
            List<CompletableFuture<JsonNode>> waiting = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                String routes = LIVE + "  - host: h" + i + ".example.com\n";
                waiting.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return h.call("allow", "routes_yaml", routes, "justification", "j");
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }));
            }
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (dev.queue().scan().pending().size() < 2 && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            JsonNode third = h.call("allow", "routes_yaml", LIVE + "  - host: h9.example.com\n", "justification", "j");
            assertTrue(isError(third));
            assertTrue(text(third).contains("rate limit"), text(third));
            for (CompletableFuture<JsonNode> f : waiting) {
                assertTrue(text(f.get(10, TimeUnit.SECONDS)).startsWith("status: timeout"));
            }
        }
    }

    @Test
    void listEgressRoutesAsksTheProxyIntrospectionEndpoint() throws Exception {
        String body = "{\"routes\": [{\"host\": \"api.github.com\"}]}";
        AtomicReference<String> requestLine = new AtomicReference<>();
        try (ServerSocket proxy = new ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                try (Socket s = proxy.accept()) {
                    InputStream in = s.getInputStream();
                    StringBuilder head = new StringBuilder();
                    while (!head.toString().endsWith("\r\n\r\n")) {
                        int c = in.read();
                        if (c < 0) {
                            break;
                        }
                        head.append((char) c);
                    }
                    requestLine.set(head.substring(0, head.indexOf("\r\n")));
                    OutputStream out = s.getOutputStream();
                    byte[] b = body.getBytes(StandardCharsets.UTF_8);
                    out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                            + Integer.toHexString(10) + "\r\n" + body.substring(0, 10) + "\r\n"
                            + Integer.toHexString(b.length - 10) + "\r\n" + body.substring(10) + "\r\n0\r\n\r\n")
                            .getBytes(StandardCharsets.UTF_8));
                } catch (Exception e) {
                    // the test's assertions report it
                }
            });
            t.start();
            try (McpHarness h = new McpHarness(fx, dev, Duration.ofSeconds(5), 10,
                    new InetSocketAddress("127.0.0.1", proxy.getLocalPort()))) {
                h.initialize(McpServer.LATEST);
                JsonNode r = h.call("list-egress-routes");
                assertFalse(isError(r), text(r));
                assertEquals(body, text(r));
                assertEquals("GET http://_egress.local/allowlist HTTP/1.1", requestLine.get());
            }
            t.join(5000);
        }
        // no proxy listening: a clear error, not a hang
        try (McpHarness h = harness(dev, Duration.ofSeconds(5))) {
            h.initialize(McpServer.LATEST);
            JsonNode r = h.call("list-egress-routes");
            assertTrue(isError(r));
            assertTrue(text(r).contains("cannot read the live routes"), text(r));
        }
    }
}
