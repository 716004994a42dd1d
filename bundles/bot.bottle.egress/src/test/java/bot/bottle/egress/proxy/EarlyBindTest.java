package bot.bottle.egress.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The port is bound before the proxy is ready and accepts only once it is: a connection made in
 * between waits in the backlog (no refusal, no answer yet) and is served once the proxy runs. Bottles
 * release their agent on the bound port while the TLS engine still loads.
 */
class EarlyBindTest {
    @TempDir
    Path dir;

    @Test
    void aConnectionMadeBeforeTheProxyIsReadyIsServedOnceItIs() throws Exception {
        Path routes = dir.resolve("routes.yaml");
        Files.writeString(routes, "routes:\n  - host: early.example.test\n");
        AtomicReference<Socket> early = new AtomicReference<>();
        AtomicReference<Throwable> problem = new AtomicReference<>();
        EgressServer.Builder b = EgressServer.builder().routesFile(routes).stateDir(dir.resolve("state"))
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .beforeAccept(addr -> {
                    try {
                        Socket s = new Socket();
                        s.connect(addr, 2000); // the bound port takes the connection (backlog)
                        s.getOutputStream().write(("GET http://_egress.local/allowlist HTTP/1.1\r\n"
                                + "Host: _egress.local\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                        s.setSoTimeout(300);
                        assertThrows(SocketTimeoutException.class, () -> s.getInputStream().read(),
                                "no answer before the proxy is ready");
                        early.set(s);
                    } catch (Throwable e) {
                        problem.set(e);
                    }
                });
        try (EgressServer proxy = b.build().start()) {
            if (problem.get() != null) {
                throw new AssertionError(problem.get());
            }
            try (Socket s = early.get()) {
                s.setSoTimeout(5000);
                InputStream in = s.getInputStream();
                String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
                assertTrue(answer.contains("early.example.test"), answer);
            }
            assertEquals(1, proxy.routes().routes().size());
        }
    }
}
