package bot.bottle.supervise;

import static org.junit.jupiter.api.Assertions.*;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import bot.bottle.supervise.core.BottleState;
import bot.bottle.supervise.queue.Json;
import bot.bottle.supervise.queue.QueueDir;

/**
 * The whole path with real processes of the distribution: the egress proxy ({@code bot-bottle egress
 * run}) in front of a loopback HTTPS upstream, the bottle's MCP server ({@code bot-bottle supervise
 * serve}), an agent-side JSON-RPC client, and the operator's {@code bot-bottle supervise approve}. A
 * blocked curl succeeds after the approval, without restarting the proxy, and the audit log holds the
 * decision.
 */
class EgressApprovalEndToEndTest {

    static final String HOST = "pkg.example.test";
    static final String LIVE = "routes:\n  - host: api.example.test\n";
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path tmp;
    DistFixture dist;
    final List<Process> processes = new ArrayList<>();
    HttpsServer upstream;

    @AfterEach
    void stop() throws Exception {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        if (upstream != null) {
            upstream.stop(0);
        }
        if (dist != null) {
            dist.close();
        }
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void approvedAllowProposalOpensTheLiveProxyWithinASecond() throws Exception {
        DistFixture.skipUnless(has("curl"), "curl is not installed");
        dist = DistFixture.create(tmp);
        Path egressJar = dist.dist.resolve("bundle/bot.bottle.egress-0.1.0-SNAPSHOT.jar");
        assertTrue(Files.exists(egressJar) && hasEntry(egressJar, "bot/bottle/egress/osgi/EgressCommands.class"),
                "the distribution has the egress proxy command (bundle bot.bottle.egress with egress:run)");

        Path home = tmp.resolve("home");
        BottleState dev = new Fixtures(home).bottle("dev", LIVE);
        Path proxyState = tmp.resolve("proxy-state");
        Files.createDirectories(proxyState);
        int upstreamPort = startUpstream();
        int proxyPort = freePort();
        int mcpPort = freePort();

        Process proxy = start(home, "egress", List.of("egress", "run", "--routes", dev.routesFile().toString(),
                "--state", proxyState.toString(), "--listen", "127.0.0.1:" + proxyPort, "--upstream-ca",
                tmp.resolve("upstream.pem").toString(), "--resolve", HOST + ":" + upstreamPort + ":127.0.0.1"),
                "egress: listening on");
        // the launcher gives the proxy's JVM the Vector API and the kernel wires it to the body prefilter
        assertTrue(outputs.get("egress").stream().anyMatch(l -> l.contains("\"literal_search\":\"vector\"")),
                String.join("\n", outputs.get("egress")));
        String url = "https://" + HOST + ":" + upstreamPort + "/simple/";
        Path ca = proxyState.resolve("ca.crt");
        assertEquals(403, curl(proxyPort, ca, url), "a host not in routes.yaml is refused");

        start(home, "serve", List.of("supervise", "serve", "--state", dev.dir().toString(), "--listen",
                "127.0.0.1:" + mcpPort, "--proxy", "127.0.0.1:" + proxyPort, "--timeout", "120"),
                "supervise MCP server for bottle dev");

        // the agent: initialise, read the live routes through the proxy, propose, wait for the decision
        Mcp agent = new Mcp(URI.create("http://127.0.0.1:" + mcpPort + "/mcp"));
        agent.initialize();
        JsonNode routes = agent.call("list-egress-routes");
        assertFalse(routes.path("result").path("isError").asBoolean(), routes.toString());
        assertTrue(routes.toString().contains("api.example.test"), routes.toString());
        String proposed = LIVE + "  - host: " + HOST + "\n";
        CompletableFuture<JsonNode> decision = CompletableFuture.supplyAsync(() -> {
            try {
                return agent.call("allow", "routes_yaml", proposed, "justification",
                        "pip install needs the package index at " + HOST);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });

        String id = awaitProposal(dev, Duration.ofSeconds(60));
        Process approve = dist.command(home, List.of("supervise", "approve", id, "--reason", "package index"))
                .redirectErrorStream(true).start();
        processes.add(approve);
        String approveOut = new String(approve.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(approve.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, approve.exitValue(), approveOut);
        long approvedAt = System.nanoTime();
        assertTrue(approveOut.contains("approved allow " + id + " for bottle dev"), approveOut);
        assertEquals(proposed, Files.readString(dev.routesFile()));

        int code = 0;
        while (code != 200 && System.nanoTime() - approvedAt < Duration.ofSeconds(10).toNanos()) {
            code = curl(proxyPort, ca, url);
        }
        long millis = (System.nanoTime() - approvedAt) / 1_000_000;
        assertEquals(200, code, "the approved route never became live");
        System.err.println("MEASURED: approved route live in the running proxy after " + millis + " ms");
        // the proxy polls routes.yaml every 250 ms; curl itself takes a few tens of ms
        assertTrue(millis < 2000, "the approved route took " + millis + " ms to apply");
        assertTrue(proxy.isAlive(), "the proxy was not restarted");

        JsonNode result = decision.get(60, TimeUnit.SECONDS).path("result");
        String text = result.path("content").path(0).path("text").asText();
        assertFalse(result.path("isError").asBoolean(), text);
        assertTrue(text.contains("status: approved") && text.contains("package index"), text);
        assertTrue(text.contains("retry the request now"), text);

        // the producer archived the pair after reading the response
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!Files.exists(dev.queue().processedDir().resolve(id + ".response.json")) && System.nanoTime() < end) {
            Thread.sleep(50);
        }
        assertTrue(Files.exists(dev.queue().processedDir().resolve(id + ".response.json")));

        List<ObjectNode> audit = dev.audit().entries();
        assertEquals(1, audit.size());
        ObjectNode e = audit.get(0);
        assertEquals("approved", e.get("action").asText());
        assertEquals("allow", e.get("tool").asText());
        assertEquals("shell", e.get("channel").asText());
        assertEquals("package index", e.get("notes").asText());
        assertEquals(LIVE, e.get("diff_before").asText());
        assertEquals(proposed, e.get("diff_after").asText());
        Process verify = dist.command(home, List.of("audit", "verify", "dev")).redirectErrorStream(true).start();
        processes.add(verify);
        String verifyOut = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(verify.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, verify.exitValue(), verifyOut);
        assertTrue(verifyOut.contains("1 entries verified"), verifyOut);
    }

    /** Starts {@code bot-bottle args} and waits (bounded) until its output shows {@code ready}. */
    /** Output lines of each process {@link #start} started, by name. */
    final java.util.Map<String, ConcurrentLinkedQueue<String>> outputs = new java.util.concurrent.ConcurrentHashMap<>();

    Process start(Path home, String name, List<String> args, String ready) throws Exception {
        Process p = dist.command(home, args).redirectErrorStream(true).start();
        processes.add(p);
        ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
        outputs.put(name, lines);
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null;) {
                    lines.add(l);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "out-" + name);
        t.setDaemon(true);
        t.start();
        long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (lines.stream().noneMatch(l -> l.contains(ready))) {
            if (!p.isAlive() || System.nanoTime() > end) {
                fail(name + " did not start: " + String.join("\n", lines));
            }
            Thread.sleep(50);
        }
        return p;
    }

    static String awaitProposal(BottleState b, Duration max) throws Exception {
        long end = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < end) {
            Optional<QueueDir.Pending> p = b.queue().scan().pending().stream().findFirst();
            if (p.isPresent()) {
                return p.get().proposal().id();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no proposal from " + b.slug() + " within " + max);
    }

    /** An HTTPS upstream on loopback with a keytool-made certificate for {@link #HOST}. */
    int startUpstream() throws Exception {
        Path p12 = tmp.resolve("upstream.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(List.of(keytool, "-genkeypair", "-alias", "up", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                "CN=" + HOST, "-ext", "SAN=dns:" + HOST, "-validity", "2", "-storetype", "PKCS12", "-keystore",
                p12.toString(), "-storepass", "changeit", "-keypass", "changeit"));
        run(List.of(keytool, "-exportcert", "-rfc", "-alias", "up", "-keystore", p12.toString(), "-storepass",
                "changeit", "-file", tmp.resolve("upstream.pem").toString()));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            ks.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), null, null);
        upstream = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        upstream.setHttpsConfigurator(new HttpsConfigurator(ssl));
        upstream.createContext("/", x -> {
            byte[] body = "package index\n".getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().add("Content-Type", "text/plain");
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        upstream.start();
        return upstream.getAddress().getPort();
    }

    static int curl(int proxyPort, Path ca, String url) throws Exception {
        String out = run(List.of("curl", "-sS", "-o", "/dev/null", "--max-time", "10", "--proxy",
                "http://127.0.0.1:" + proxyPort, "--cacert", ca.toString(), "-w", "%{http_code}", url), true);
        return Integer.parseInt(out.strip());
    }

    static String run(List<String> cmd) throws Exception {
        return run(cmd, false);
    }

    static String run(List<String> cmd, boolean anyExit) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("timed out: " + cmd);
        }
        if (!anyExit) {
            assertEquals(0, p.exitValue(), cmd.toString());
        }
        return out;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static boolean has(String tool) {
        try {
            return new ProcessBuilder(tool, "--version").redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    static boolean hasEntry(Path jar, String entry) throws IOException {
        try (ZipFile z = new ZipFile(jar.toFile())) {
            return z.getEntry(entry) != null;
        }
    }

    /** A minimal MCP client over Streamable HTTP (JSON responses), as an agent's SDK would speak it. */
    static final class Mcp {
        final URI uri;
        String session;
        int ids;

        Mcp(URI uri) {
            this.uri = uri;
        }

        HttpResponse<String> post(String body) throws Exception {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(150))
                    .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                    .POST(HttpRequest.BodyPublishers.ofString(body));
            if (session != null) {
                b.header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2025-11-25");
            }
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        }

        void initialize() throws Exception {
            HttpResponse<String> r = post("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{"
                    + "\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},"
                    + "\"clientInfo\":{\"name\":\"e2e-agent\",\"version\":\"1\"}}}");
            assertEquals(200, r.statusCode(), r.body());
            session = r.headers().firstValue("Mcp-Session-Id").orElseThrow();
            assertEquals(202, post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}").statusCode());
        }

        JsonNode call(String tool, String... kv) throws Exception {
            ObjectNode msg = Json.MAPPER.createObjectNode();
            msg.put("jsonrpc", "2.0");
            synchronized (this) {
                msg.put("id", ++ids);
            }
            msg.put("method", "tools/call");
            ObjectNode params = msg.putObject("params");
            params.put("name", tool);
            ObjectNode args = params.putObject("arguments");
            for (int i = 0; i < kv.length; i += 2) {
                args.put(kv[i], kv[i + 1]);
            }
            HttpResponse<String> r = post(Json.compact(msg));
            assertEquals(200, r.statusCode(), r.body());
            return Json.MAPPER.readTree(r.body());
        }
    }
}
