package bot.bottle.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import bot.bottle.kernel.Kernel;
import bot.bottle.kernel.Listeners;
import bot.bottle.kernel.api.KernelService;

/**
 * The sidecar's kernel binds its services' ports before the framework starts: a request made while the
 * bundles still load waits in the backlog and is answered by the real service (here supervise's MCP
 * server); a port no service takes is closed once the kernel has started, and named as a problem.
 */
class KernelListenersTest {

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void aRequestSentBeforeTheFrameworkStartsIsAnsweredByTheService(@TempDir Path home) throws Exception {
        int mcp = freePort();
        int unused = freePort();
        Path state = home.resolve("state").resolve("demo-1a2b3c");
        Files.createDirectories(state.resolve("supervise").resolve("queue"));
        Listeners early = Listeners.bind("http:127.0.0.1:" + mcp + ",tcp:127.0.0.1:" + unused);
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String init = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                + "\"2025-03-26\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";
        CompletableFuture<HttpResponse<String>> beforeBoot = client.sendAsync(HttpRequest
                .newBuilder(URI.create("http://127.0.0.1:" + mcp + "/mcp")).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(init)).build(), HttpResponse.BodyHandlers.ofString());
        Thread.sleep(300);
        assertFalse(beforeBoot.isDone(), "waits in the backlog: nothing serves yet, nothing refuses");
        Files.createDirectories(home);
        try (Kernel kernel = new Kernel(home, Dist.dir(), Map.of(KernelService.MODE, KernelService.MODE_DAEMON,
                "bot.bottle.supervise.state", state.toString(), "bot.bottle.supervise.listen", "127.0.0.1:" + mcp),
                false).withListeners(early).start(false)) {
            HttpResponse<String> r = beforeBoot.get(60, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(r.body().contains("serverInfo"), r.body());
            // the tcp listener was taken by nobody (the host's egress proxy is idle without routes)
            assertThrows(IOException.class, () -> new Socket("127.0.0.1", unused).close());
            assertTrue(kernel.bundleProblems().keySet().stream().anyMatch(k -> k.endsWith("127.0.0.1:" + unused)),
                    kernel.bundleProblems().toString());
            assertEquals(1, kernel.bundleProblems().size(), kernel.bundleProblems().toString());
        }
    }

    /** A command's kernel (the host's) never activates a sidecar service, whatever its properties say. */
    @Test
    void aCommandKernelRunsNoSidecarService(@TempDir Path home) throws Exception {
        int mcp = freePort();
        Path state = home.resolve("state").resolve("demo-1a2b3c");
        Files.createDirectories(state.resolve("supervise").resolve("queue"));
        try (Kernel kernel = new Kernel(home, Dist.dir(), Map.of("bot.bottle.supervise.state", state.toString(),
                "bot.bottle.supervise.listen", "127.0.0.1:" + mcp), false).start(false)) {
            assertThrows(IOException.class, () -> new Socket("127.0.0.1", mcp).close(), "no MCP server on the host");
            assertEquals(Map.of(), kernel.bundleProblems());
            assertTrue(kernel.context().getBundles().length > 10);
        }
    }
}
