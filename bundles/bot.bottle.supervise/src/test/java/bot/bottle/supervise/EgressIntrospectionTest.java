package bot.bottle.supervise;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import bot.bottle.supervise.mcp.EgressIntrospection;

/** The raw introspection client against a loopback server that answers and then keeps the connection open. */
class EgressIntrospectionTest {

    /** Serves one connection with {@code response}, then holds it open until released. */
    static String fetch(String response) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                try (Socket s = ss.accept()) {
                    InputStream in = s.getInputStream();
                    StringBuilder head = new StringBuilder();
                    while (!head.toString().endsWith("\r\n\r\n")) {
                        int c = in.read();
                        if (c < 0) {
                            return;
                        }
                        head.append((char) c);
                    }
                    s.getOutputStream().write(response.getBytes(StandardCharsets.ISO_8859_1));
                    s.getOutputStream().flush();
                    release.await(20, TimeUnit.SECONDS); // like a keep-alive proxy: no close
                } catch (IOException | InterruptedException ignored) {
                    // test ends
                }
            });
            t.start();
            try {
                long start = System.nanoTime();
                String body = new EgressIntrospection(new InetSocketAddress(ss.getInetAddress(), ss.getLocalPort()),
                        10_000).allowlist();
                assertTrue(System.nanoTime() - start < 5_000_000_000L, "waited for EOF instead of the framing");
                return body;
            } finally {
                release.countDown();
                t.join(5000);
            }
        }
    }

    @Test
    void contentLengthResponseIsReadWithoutWaitingForClose() throws Exception {
        String json = "{\"routes\":[{\"host\":\"api.example.test\"}]}";
        assertEquals(json, fetch("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: "
                + json.length() + "\r\n\r\n" + json));
    }

    @Test
    void chunkedResponseIsReadWithoutWaitingForClose() throws Exception {
        assertEquals("{\"routes\":[]}", fetch("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\n{\"rou\r\n8\r\ntes\":[]}\r\n0\r\n\r\n"));
    }

    @Test
    void nonOkIsAnError() {
        IOException e = assertThrows(IOException.class,
                () -> fetch("HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n"));
        assertTrue(e.getMessage().contains("403"), e.getMessage());
    }
}
