package bot.bottle.egress.osgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EgressCommandsTest {
    @TempDir
    Path dir;

    @Test
    void argumentErrorsAreOneLineWithExitStatus2() {
        for (List<String> bad : List.<List<String>>of(List.of(), List.of("--routes", "r.yaml"), List.of("--state", "s"),
                List.of("--routes", "r", "--state", "s", "--listen", "nohost"),
                List.of("--routes", "r", "--state", "s", "--resolve", "a.test:443"),
                List.of("--routes", "r", "--state", "s", "--resolve", "a.test:443:169.254.169.254"),
                List.of("--routes", "r", "--state", "s", "--bogus", "1"),
                List.of("--routes", "r", "--state", "s", "--upstream-ca", "/nonexistent/ca.pem"),
                List.of("--routes"))) {
            EgressArgs.UsageException e = assertThrows(EgressArgs.UsageException.class, () -> EgressArgs.parse(bad),
                    bad.toString());
            assertEquals(2, e.exitStatus());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        }
        EgressArgs.parse(List.of("--routes=r.yaml", "--state", "s", "--listen", "127.0.0.1:0",
                "--resolve", "a.test:443:127.0.0.1", "--resolve", "b.test:8443:[::1]")).build();
    }

    @Test
    void runServesUntilInterruptedAndCreatesTheCa() throws Exception {
        Path routes = dir.resolve("routes.yaml");
        Files.writeString(routes, "routes:\n  - host: api.example.test\n");
        Path state = dir.resolve("state");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                new EgressCommands().run("--routes", routes.toString(), "--state", state.toString(),
                        "--listen", "127.0.0.1:" + port);
            } catch (InterruptedException e) {
                // the expected way out
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.start();
        String resp = null;
        for (int i = 0; i < 100 && resp == null; i++) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.getOutputStream().write("GET http://_egress.local/allowlist HTTP/1.1\r\nHost: _egress.local\r\n"
                        .concat("Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                resp = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                Thread.sleep(50);
            }
        }
        assertTrue(resp != null && resp.endsWith("{\"routes\":[{\"host\":\"api.example.test\"}]}"), resp);
        assertTrue(Files.readString(state.resolve("ca.crt")).startsWith("-----BEGIN CERTIFICATE-----"));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(state.resolve("ca.key"))));
        t.interrupt();
        t.join(10_000);
        assertFalse(t.isAlive());
        assertEquals(null, failure.get());
    }

    @Test
    void badRoutesFileFailsWithTheFileAndKeyNamed() throws Exception {
        Path routes = dir.resolve("routes.yaml");
        Files.writeString(routes, "routes:\n  - host: a.example\n    colour: red\n");
        EgressCommands.StartException e = assertThrows(EgressCommands.StartException.class,
                () -> new EgressCommands().run("--routes", routes.toString(), "--state", dir.resolve("s").toString(),
                        "--listen", "127.0.0.1:0"));
        assertTrue(e.getMessage().contains(routes + ": routes[0].colour: unknown key"), e.getMessage());
        assertEquals(1, e.exitStatus());
    }
}
