package bot.bottle.supervise;

import static org.junit.jupiter.api.Assertions.*;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import bot.bottle.supervise.core.BottleState;
import bot.bottle.supervise.core.SuperviseCore;
import bot.bottle.supervise.queue.Json;

/**
 * The official MCP TypeScript SDK (from npm, run by node) initialises, lists tools and calls the real
 * server, while this test decides through the same command core the Gogo commands use.
 */
class McpSdkClientTest {

    /** Pinned so a run is reproducible; cached under target/ so later runs skip the install. */
    static final String SDK = "@modelcontextprotocol/sdk@1.32.2";

    @TempDir
    Path tmp;

    static Path sdkDir() throws Exception {
        String node = which("node");
        String npm = which("npm");
        Assumptions.assumeTrue(node != null && npm != null, "node/npm are not installed: MCP SDK test skipped");
        Path dir = Path.of(System.getProperty("supervise.npm.cache", "target/mcp-sdk")).toAbsolutePath();
        if (!Files.isDirectory(dir.resolve("node_modules/@modelcontextprotocol/sdk"))) {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("package.json"), "{\"name\":\"mcp-sdk-cache\",\"private\":true}\n");
            Process p = new ProcessBuilder(npm, "install", "--no-audit", "--no-fund", "--loglevel=error", SDK)
                    .directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("npm-install.log").toFile()).start();
            assertTrue(p.waitFor(240, TimeUnit.SECONDS), "npm install timed out");
            assertEquals(0, p.exitValue(), () -> "npm install failed: " + read(dir.resolve("npm-install.log")));
        }
        Files.writeString(dir.resolve("client.mjs"), CLIENT);
        return dir;
    }

    static final String CLIENT = """
            import { Client } from "@modelcontextprotocol/sdk/client/index.js";
            import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
            const [url, routes] = [process.argv[2], process.argv[3]];
            const client = new Client({ name: "bot-bottle-test", version: "1.0.0" });
            const transport = new StreamableHTTPClientTransport(new URL(url));
            await client.connect(transport);
            const out = { server: client.getServerVersion(), session: transport.sessionId,
                          protocol: transport.protocolVersion };
            const tools = await client.listTools();
            out.tools = tools.tools.map(t => t.name);
            out.schema = tools.tools.find(t => t.name === "allow").inputSchema;
            out.invalid = await client.callTool({ name: "allow",
                arguments: { routes_yaml: "hosts: []\\n", justification: "bad file" } });
            out.allow = await client.callTool({ name: "allow",
                arguments: { routes_yaml: routes, justification: "pip install needs pypi.org" } },
                undefined, { timeout: 60000 });
            await transport.terminateSession();
            await client.close();
            console.log(JSON.stringify(out));
            """;

    @Test
    void officialSdkClientProposesAndGetsTheOperatorsDecision() throws Exception {
        Path sdk = sdkDir();
        Fixtures fx = new Fixtures(tmp);
        BottleState dev = fx.bottle("dev", SuperviseCoreTest.LIVE);
        try (McpHarness h = new McpHarness(fx, dev, Duration.ofSeconds(30), 10, null)) {
            Process node = new ProcessBuilder(which("node"), sdk.resolve("client.mjs").toString(), h.uri.toString(),
                    SuperviseCoreTest.PROPOSED).directory(sdk.toFile())
                    .redirectError(tmp.resolve("node.err").toFile()).start();
            // the operator, through the command core: sees the proposal, checks the diff, approves
            SuperviseCore.Item item = McpHarness.awaitPending(fx.core(), "dev", Duration.ofSeconds(30));
            String shown = fx.shell().show(item.proposal().id());
            assertTrue(shown.contains("+  - host: pypi.org"), shown);
            assertTrue(fx.shell().approve(item.proposal().id(), "ok for pip").startsWith("approved allow"));

            assertTrue(node.waitFor(60, TimeUnit.SECONDS), "node client did not finish");
            String stdout = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, node.exitValue(), () -> "node failed: " + read(tmp.resolve("node.err")) + stdout);
            JsonNode out = Json.MAPPER.readTree(stdout);
            assertEquals("bot-bottle-supervise", out.path("server").path("name").asText());
            assertEquals("2025-11-25", out.path("protocol").asText());
            assertFalse(out.path("session").asText().isEmpty());
            assertEquals(List.of("list-egress-routes", "allow", "egress-block", "capability-block"),
                    Json.MAPPER.convertValue(out.path("tools"), List.class));
            assertEquals("[\"routes_yaml\",\"justification\"]", out.path("schema").path("required").toString());
            assertTrue(out.path("invalid").path("isError").asBoolean(), out.toString());
            assertTrue(out.path("invalid").path("content").path(0).path("text").asText().contains("not valid"));
            JsonNode allow = out.path("allow");
            assertFalse(allow.path("isError").asBoolean(), allow.toString());
            String text = allow.path("content").path(0).path("text").asText();
            assertTrue(text.startsWith("status: approved\nnotes: ok for pip\n"), text);
            assertTrue(text.contains("routes are live"), text);
        }
        assertEquals(SuperviseCoreTest.PROPOSED, Files.readString(dev.routesFile()));
        assertTrue(dev.queue().scan().pending().isEmpty(), "the producer archived the pair");
        assertEquals("approved", dev.audit().entries().get(0).get("action").asText());
    }

    static String which(String cmd) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(d, cmd);
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (Exception e) {
            return "";
        }
    }
}
