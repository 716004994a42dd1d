package bot.bottle.egress.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import bot.bottle.egress.testing.ProxyFixture;
import bot.bottle.egress.testing.ProxyFixture.Run;

/**
 * Small messages are scanned on the event loop, large ones on the workers
 * ({@link ClientHandler#INLINE_SCAN_BYTES}) until their scan is learnt to fit the loop's budget
 * ({@link ScanCost}): every path must decide the same way, and a supervise hold is asked off the event
 * loop whichever path found it.
 */
class ScanPathsTest {
    static final String ROUTES = """
            log: blocks
            routes:
              - host: block.example.test
                outbound_on_match: block
              - host: other.example.test
            """;
    static final int BIG = ClientHandler.INLINE_SCAN_BYTES * 4;

    @TempDir
    static Path dir;
    static ProxyFixture fx;
    static final ConcurrentLinkedQueue<String> holdThreads = new ConcurrentLinkedQueue<>();

    @BeforeAll
    static void start() throws Exception {
        fx = new ProxyFixture(dir, ROUTES, null, h -> {
            holdThreads.add(Thread.currentThread().getName());
            return CompletableFuture.completedFuture(HoldDecider.Decision.DENY);
        });
    }

    @AfterAll
    static void stop() {
        fx.close();
    }

    static int status(Run r) {
        String[] lines = r.out().split("\n");
        return Integer.parseInt(lines[lines.length - 1].trim());
    }

    static Path bodyFile(String name, int padding, String tail) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, "x".repeat(padding) + tail);
        return p;
    }

    @Test
    void outboundSecretIsFoundInSmallAndLargeBodies() throws Exception {
        assumeTrue(ProxyFixture.has("curl"), "curl is not installed");
        for (int pad : new int[] {10, BIG}) {
            int before = fx.https.received.size();
            Path f = bodyFile("out-" + pad, pad, " SECRET-TAIL" + pad);
            Run r = fx.curl("--data-binary", "@" + f, fx.url("block.example.test", "/up"));
            assertEquals(403, status(r), pad + ": " + r);
            assertTrue(r.out().contains("fake/fake-secret in body"), r.out());
            assertEquals(before, fx.https.received.size(), "nothing forwarded");
            Path clean = bodyFile("clean-" + pad, pad, " nothing here");
            assertEquals(200, status(fx.curl("--data-binary", "@" + clean, fx.url("block.example.test", "/up"))));
        }
    }

    @Test
    void inboundSecretIsRedactedInSmallAndLargeResponsesPlainAndGzip() throws Exception {
        assumeTrue(ProxyFixture.has("curl"), "curl is not installed");
        // The body comes from the query, so "large" stays under the request-line limit (8 KiB).
        for (int pad : new int[] {10, ClientHandler.INLINE_SCAN_BYTES + 1000}) {
            for (String gz : new String[] {"", "&gzip=1"}) {
                String say = Base64.getUrlEncoder().withoutPadding()
                        .encodeToString(("y".repeat(pad) + " SECRET-IN" + pad).getBytes());
                Run r = fx.curl("--compressed", fx.url("other.example.test", "/?say64=" + say + gz));
                assertEquals(200, status(r), pad + gz + ": " + r);
                assertTrue(r.out().contains("y [REDACTED]"), pad + gz);
                assertFalse(r.out().contains("SECRET-IN"), pad + gz);
            }
        }
    }

    @Test
    void supervisedHoldIsAskedOffTheEventLoop() throws Exception {
        assumeTrue(ProxyFixture.has("curl"), "curl is not installed");
        holdThreads.clear();
        Run small = fx.curl("-H", "X-Key: SECRET-HOLD1", fx.url("other.example.test", "/"));
        assertEquals(403, status(small), small.toString());
        assertTrue(small.out().contains("held for supervision and denied"), small.out());
        Path f = bodyFile("hold-big", BIG, " SECRET-HOLD2");
        Run big = fx.curl("--data-binary", "@" + f, fx.url("other.example.test", "/"));
        assertEquals(403, status(big), big.toString());
        assertEquals(2, holdThreads.size(), holdThreads.toString());
        for (String t : holdThreads) {
            assertTrue(t.startsWith("egress-worker"), "hold asked on " + t);
        }
    }

    @Test
    void largeBodiesMoveToTheLoopOnceTheirScanIsLearntFastAndStillBlock() throws Exception {
        assumeTrue(ProxyFixture.has("curl"), "curl is not installed");
        int size = 64 << 10; // above LEARN_MIN_BYTES, far above INLINE_SCAN_BYTES
        Path clean = bodyFile("learn-clean", size, " nothing here");
        Path secret = bodyFile("learn-secret", size, " SECRET-LEARNT");
        fx.scanner.bodyThreads.clear();
        // The first scans run on workers (the initial estimate is pessimistic), then the estimate falls.
        for (int i = 0; i < 30; i++) {
            assertEquals(200, status(fx.curl("--data-binary", "@" + clean, fx.url("block.example.test", "/up"))));
        }
        fx.scanner.bodyThreads.clear();
        int before = fx.https.received.size();
        for (int i = 0; i < 5; i++) {
            Run r = fx.curl("--data-binary", "@" + secret, fx.url("block.example.test", "/up"));
            assertEquals(403, status(r), r.toString());
            assertTrue(r.out().contains("fake/fake-secret in body"), r.out());
        }
        assertEquals(before, fx.https.received.size(), "nothing forwarded");
        assertTrue(fx.scanner.bodyThreads.stream().anyMatch(t -> t.contains("egress-io")),
                "no large body was scanned on an event loop: " + fx.scanner.bodyThreads);
    }

    @Test
    void scanCostLearnsDownSlowlyAndUpAtOnce() {
        ScanCost c = new ScanCost();
        assertFalse(c.fitsLoop(64 << 10), "pessimistic until measured");
        for (int i = 0; i < 40; i++) {
            c.observe(1 << 20, 300_000); // 0.3 ns per byte
        }
        assertTrue(c.fitsLoop(1 << 20));
        assertFalse(c.fitsLoop(ScanCost.MAX_INLINE_BYTES + 1L), "never above the cap");
        c.observe(1 << 20, 20_000_000); // one slow scan (20 ns per byte)
        assertFalse(c.fitsLoop(1 << 20), "a slow scan sends the next large ones to the workers");
        c.observe(1000, 1_000_000_000); // too small to learn from
        assertTrue(c.fitsLoop(32 << 10));
    }
}
