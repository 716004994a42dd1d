package bot.bottle.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

/** Sockets bound before the framework: connections wait for the service that takes them, once. */
class ListenersTest {

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void aTcpConnectionMadeBeforeTheTakeIsServedByTheTaker() throws Exception {
        int port = freePort();
        try (Listeners l = Listeners.bind("tcp:127.0.0.1:" + port)) {
            try (Socket early = new Socket("127.0.0.1", port)) { // accepted by the kernel's backlog, not refused
                early.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
                InetSocketAddress a = new InetSocketAddress("127.0.0.1", port);
                ServerSocketChannel taken = l.takeTcp(a).orElseThrow();
                try (taken; SocketChannel c = taken.accept()) {
                    byte[] got = new byte[5];
                    c.socket().getInputStream().readNBytes(got, 0, 5);
                    assertEquals("hello", new String(got, StandardCharsets.US_ASCII));
                }
                assertTrue(l.takeTcp(a).isEmpty(), "handed over once");
            }
        }
    }

    @Test
    void anHttpRequestSentBeforeTheServiceStartsIsAnswered() throws Exception {
        int port = freePort();
        try (Listeners l = Listeners.bind("http:127.0.0.1:" + port)) {
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            CompletableFuture<HttpResponse<String>> early = client.sendAsync(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/x")).timeout(Duration.ofSeconds(10))
                            .build(), HttpResponse.BodyHandlers.ofString());
            Thread.sleep(200);
            assertFalse(early.isDone(), "waits in the backlog, not refused");
            HttpServer h = l.takeHttp(new InetSocketAddress("127.0.0.1", port)).orElseThrow();
            h.createContext("/", ex -> {
                byte[] b = "served".getBytes(StandardCharsets.US_ASCII);
                ex.sendResponseHeaders(200, b.length);
                try (OutputStream o = ex.getResponseBody()) {
                    o.write(b);
                }
            });
            h.start();
            try {
                HttpResponse<String> r = early.get(10, TimeUnit.SECONDS);
                assertEquals(200, r.statusCode());
                assertEquals("served", r.body());
            } finally {
                h.stop(0);
            }
        }
    }

    @Test
    void unclaimedListenersAreClosedSoConnectionsAreRefused() throws Exception {
        int tcp = freePort();
        int http = freePort();
        Listeners l = Listeners.bind(" tcp:127.0.0.1:" + tcp + " , http:127.0.0.1:" + http);
        assertEquals(2, l.closeUnclaimed().size());
        for (int port : new int[] {tcp, http}) {
            assertThrows(IOException.class, () -> new Socket("127.0.0.1", port).close(), "port " + port);
        }
        assertTrue(l.closeUnclaimed().isEmpty());
    }

    @Test
    void aWrongKindIsRefusedNamingBoth() throws Exception {
        int port = freePort();
        try (Listeners l = Listeners.bind("http:127.0.0.1:" + port)) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> l.takeTcp(new InetSocketAddress("127.0.0.1", port)));
            assertTrue(e.getMessage().contains("held as http, not as tcp"), e.getMessage());
            assertTrue(l.takeHttp(new InetSocketAddress("127.0.0.1", port)).isPresent(), "still there for the right taker");
        }
    }

    @Test
    void badSpecsFailWithOneLineAndLeaveNothingBound() throws Exception {
        int first = freePort();
        for (String bad : new String[] {"udp:127.0.0.1:1", "tcp:localhost:80", "tcp:127.0.0.1", "tcp:127.0.0.1:99999",
                "http:127.0.0.1:x"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Listeners.bind("tcp:127.0.0.1:" + first + "," + bad), bad);
            assertTrue(e.getMessage().startsWith(Listeners.PROPERTY + ": "), e.getMessage());
            assertFalse(e.getMessage().contains("\n"));
            try (ServerSocket again = new ServerSocket(first, 1, java.net.InetAddress.getLoopbackAddress())) {
                // the entry bound before the bad one was closed again
            }
        }
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            IOException e = assertThrows(IOException.class,
                    () -> Listeners.bind("tcp:127.0.0.1:" + first + ",http:127.0.0.1:" + taken.getLocalPort()));
            assertTrue(e.getMessage().contains("cannot listen on 127.0.0.1:" + taken.getLocalPort()), e.getMessage());
            try (ServerSocket again = new ServerSocket(first, 1, java.net.InetAddress.getLoopbackAddress())) {
                // released
            }
        }
        assertThrows(IllegalArgumentException.class,
                () -> Listeners.bind("tcp:127.0.0.1:" + first + ",http:127.0.0.1:" + first));
    }

    @Test
    void anIpv6LiteralIsAccepted() {
        assertEquals(new InetSocketAddress("::1", 9), Listeners.address("[::1]:9"));
        assertEquals(new InetSocketAddress("0.0.0.0", 9099), Listeners.address("0.0.0.0:9099"));
    }
}
