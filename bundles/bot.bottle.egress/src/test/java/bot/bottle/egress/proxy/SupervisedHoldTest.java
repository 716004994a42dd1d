package bot.bottle.egress.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import bot.bottle.egress.testing.ProxyFixture;
import bot.bottle.egress.testing.ProxyFixture.Run;
import bot.bottle.supervise.osgi.ProposalQueueService;
import bot.bottle.supervise.queue.Proposal;
import bot.bottle.supervise.queue.QueueDir;
import bot.bottle.supervise.queue.Response;

/**
 * {@code outbound_on_match: supervise} end to end: curl through the real proxy, the request held as an
 * {@code egress-token-allow} proposal in a real supervise queue, the operator's answer written as the
 * approval channels write it.
 */
class SupervisedHoldTest {
    static final String ROUTES = """
            log: full
            routes:
              - host: other.example.test
            """;

    @TempDir
    Path dir;
    ProxyFixture fx;
    final ProposalQueueService service = new ProposalQueueService();

    @AfterEach
    void stop() throws Exception {
        if (fx != null) {
            fx.close();
        }
        var m = ProposalQueueService.class.getDeclaredMethod("stop");
        m.setAccessible(true);
        m.invoke(service);
    }

    private Path queue() {
        return dir.resolve("state/supervise/queue");
    }

    private void start(Duration timeout, boolean withService) throws Exception {
        Assumptions.assumeTrue(ProxyFixture.has("curl"), "curl is not installed");
        fx = new ProxyFixture(dir.resolve("fx"), ROUTES, null,
                new SupervisedHold(() -> withService ? service : null, queue(), "dev", timeout));
    }

    private CompletableFuture<Run> post(String body) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return fx.curl("--data-binary", body, fx.url("other.example.test", "/submit"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private Proposal awaitProposal() throws Exception {
        for (int i = 0; i < 400; i++) {
            var pending = new QueueDir(queue()).scan().pending();
            if (!pending.isEmpty()) {
                return pending.get(0).proposal();
            }
            Thread.sleep(25);
        }
        throw new AssertionError("no proposal queued");
    }

    private void answer(Proposal p, Response.Status status, String notes) throws Exception {
        new QueueDir(queue()).writeResponse(Response.of(p.id(), status, "", notes, "local:test", "shell"));
    }

    private static int status(Run r) {
        String[] lines = r.out().strip().split("\n");
        return Integer.parseInt(lines[lines.length - 1].trim());
    }

    private String everythingWritten() throws Exception {
        StringBuilder all = new StringBuilder(fx.logText());
        if (Files.exists(dir.resolve("state"))) {
            try (Stream<Path> files = Files.walk(dir.resolve("state"))) {
                for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                    all.append(Files.readString(f));
                }
            }
        }
        return all.toString();
    }

    @Test
    void approvedValuePassesForTheProxysLifetimeWhileASecondSecretIsStillHeld() throws Exception {
        start(Duration.ofSeconds(30), true);
        CompletableFuture<Run> first = post("note=hello&key=SECRET-AAA111&x=1");
        Proposal p = awaitProposal();
        assertEquals("egress-token-allow", p.tool().wireName());
        assertEquals("dev", p.bottleSlug());
        assertTrue(p.proposedFile().contains("host: other.example.test"), p.proposedFile());
        assertTrue(p.proposedFile().contains("method: POST"), p.proposedFile());
        assertTrue(p.proposedFile().contains("rule: fake-secret"), p.proposedFile());
        assertTrue(p.proposedFile().contains("context: body: note=hello&key=[REDACTED:fake-secret]&x=1"), p.proposedFile());
        assertFalse(p.proposedFile().contains("SECRET-AAA111"), "never the value");
        assertFalse(first.isDone(), "the request is held while the operator decides");

        answer(p, Response.Status.APPROVED, "test fixture, not a real key");
        Run r = first.get(20, TimeUnit.SECONDS);
        assertEquals(200, status(r), r.toString());
        assertEquals("note=hello&key=SECRET-AAA111&x=1", new String(fx.https.last().body()));

        // The approved value now passes without asking again.
        Run again = fx.curl("--data-binary", "key=SECRET-AAA111", fx.url("other.example.test", "/submit"));
        assertEquals(200, status(again), again.toString());
        assertTrue(new QueueDir(queue()).scan().pending().isEmpty(), "no new proposal for an approved value");

        // A second secret beside the approved one is still held, and a rejection refuses the request.
        CompletableFuture<Run> both = post("key=SECRET-AAA111&other=SECRET-BBB222");
        Proposal second = awaitProposal();
        assertTrue(second.proposedFile().contains("[REDACTED:fake-secret]"), second.proposedFile());
        assertEquals(1, second.proposedFile().split("finding ").length - 1, "only the new value is held: " + second.proposedFile());
        answer(second, Response.Status.REJECTED, "not this one");
        Run refused = both.get(20, TimeUnit.SECONDS);
        assertEquals(403, status(refused), refused.toString());
        assertTrue(refused.out().contains("held for supervision and denied"), refused.out());

        String written = everythingWritten();
        assertFalse(written.contains("SECRET-AAA111") || written.contains("SECRET-BBB222"),
                "no secret in the log or the queue");
    }

    @Test
    void approvalWithoutAReasonIsRefused() throws Exception {
        start(Duration.ofSeconds(30), true);
        CompletableFuture<Run> r = post("key=SECRET-CCC333");
        answer(awaitProposal(), Response.Status.APPROVED, " ");
        assertEquals(403, status(r.get(20, TimeUnit.SECONDS)));
    }

    @Test
    void malformedResponseIsRefused() throws Exception {
        start(Duration.ofSeconds(30), true);
        CompletableFuture<Run> r = post("key=SECRET-FFF666");
        Proposal p = awaitProposal();
        Files.writeString(queue().resolve(p.id() + ".response.json"), "{\"proposal_id\": \"" + p.id() + "\", \"status\": \"yes\"}");
        assertEquals(403, status(r.get(20, TimeUnit.SECONDS)));
    }

    @Test
    void timeoutRefusesAndWithdrawsTheProposal() throws Exception {
        start(Duration.ofSeconds(1), true);
        Run r = post("key=SECRET-DDD444").get(30, TimeUnit.SECONDS);
        assertEquals(403, status(r), r.toString());
        assertTrue(new QueueDir(queue()).scan().pending().isEmpty(), "withdrawn after the timeout");
        assertTrue(Files.list(queue().resolve("processed")).findAny().isPresent(), "archived by the producer");
    }

    @Test
    void withoutSuperviseEveryHoldIsDenied() throws Exception {
        start(Duration.ofSeconds(30), false);
        Run r = post("key=SECRET-EEE555").get(30, TimeUnit.SECONDS);
        assertEquals(403, status(r), r.toString());
        assertFalse(Files.exists(queue()), "nothing queued without the service");
    }

    @Test
    void timeoutSettingIsStrict() {
        assertEquals(Duration.ofSeconds(300), SupervisedHold.timeoutFrom(null));
        assertEquals(Duration.ofSeconds(7), SupervisedHold.timeoutFrom("7"));
        for (String bad : List.of("0", "-3", "ten", "1.5")) {
            try {
                SupervisedHold.timeoutFrom(bad);
                throw new AssertionError("accepted " + bad);
            } catch (IllegalArgumentException expected) {
                assertTrue(expected.getMessage().startsWith("EGRESS_TOKEN_ALLOW_TIMEOUT_SECONDS must be"));
            }
        }
    }
}
