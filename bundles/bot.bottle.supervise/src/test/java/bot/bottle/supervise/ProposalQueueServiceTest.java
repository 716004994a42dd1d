package bot.bottle.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import bot.bottle.api.approval.ProposalQueue.Outcome;
import bot.bottle.supervise.osgi.ProposalQueueService;
import bot.bottle.supervise.queue.QueueDir;
import bot.bottle.supervise.queue.Response;

/** The sidecar producers' queue: only an explicit approval lets anything through. */
class ProposalQueueServiceTest {
    @TempDir
    Path dir;
    private final ProposalQueueService service = new ProposalQueueService();

    @AfterEach
    void stop() throws Exception {
        var m = ProposalQueueService.class.getDeclaredMethod("stop");
        m.setAccessible(true);
        m.invoke(service);
    }

    private CompletableFuture<Outcome> submit(Duration timeout) {
        return service.submit(dir, "dev", "egress-token-allow", "host: api.example.test\nvalue: [REDACTED]\n",
                "token-shaped value in a request", timeout).toCompletableFuture();
    }

    private String onlyProposalId() throws Exception {
        for (int i = 0; i < 100; i++) {
            var scan = new QueueDir(dir).scan();
            if (!scan.pending().isEmpty()) {
                return scan.pending().get(0).proposal().id();
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no proposal queued");
    }

    @Test
    void approvalCompletesApprovedAndTheProducerArchivesThePair() throws Exception {
        CompletableFuture<Outcome> f = submit(Duration.ofSeconds(30));
        String id = onlyProposalId();
        new QueueDir(dir).writeResponse(Response.of(id, Response.Status.APPROVED, "", "test fixture", "op", "shell"));
        Outcome o = f.get(5, TimeUnit.SECONDS);
        assertTrue(o.approved());
        assertEquals("approved", o.status());
        assertEquals("test fixture", o.notes());
        assertTrue(Files.exists(dir.resolve("processed").resolve(id + ".response.json")), "archived by the producer");
        assertFalse(Files.exists(dir.resolve(id + ".proposal.json")));
    }

    @Test
    void rejectionDenies() throws Exception {
        CompletableFuture<Outcome> f = submit(Duration.ofSeconds(30));
        String id = onlyProposalId();
        new QueueDir(dir).writeResponse(Response.of(id, Response.Status.REJECTED, "", "no", "op", "shell"));
        Outcome o = f.get(5, TimeUnit.SECONDS);
        assertFalse(o.approved());
        assertEquals("rejected", o.status());
    }

    @Test
    void malformedResponseDenies() throws Exception {
        CompletableFuture<Outcome> f = submit(Duration.ofSeconds(30));
        String id = onlyProposalId();
        Files.writeString(dir.resolve(id + ".response.json"), "{\"status\": \"approved\"", StandardCharsets.UTF_8);
        Outcome o = f.get(5, TimeUnit.SECONDS);
        assertFalse(o.approved());
        assertEquals("malformed", o.status());
    }

    @Test
    void timeoutDeniesAndWithdrawsTheProposal() throws Exception {
        Outcome o = submit(Duration.ofMillis(300)).get(5, TimeUnit.SECONDS);
        assertFalse(o.approved());
        assertEquals("timeout", o.status());
        assertTrue(new QueueDir(dir).scan().pending().isEmpty(), "withdrawn");
    }

    @Test
    void unwritableQueueAndWrongKindDeny() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        Outcome o = service.submit(file, "dev", "gitleaks-allow", "p", "j", Duration.ofSeconds(5))
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertFalse(o.approved());
        assertEquals("error", o.status());
        Outcome kind = service.submit(dir, "dev", "allow", "routes: []\n", "j", Duration.ofSeconds(5))
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertFalse(kind.approved());
        assertTrue(kind.notes().contains("not a report-only proposal kind"), kind.notes());
    }
}
