package bot.bottle.gitgate.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import bot.bottle.api.approval.ProposalQueue;
import bot.bottle.api.dlp.Finding;
import bot.bottle.gitgate.scan.PushFinding;
import bot.bottle.gitgate.testing.Approvals;

/** The gate's side of a gitleaks:allow request, through the real supervise ProposalQueue and its files. */
class GitleaksAllowTest {

    @TempDir
    Path tmp;
    private final Approvals approvals = new Approvals();
    private final ObjectMapper json = new ObjectMapper();

    @AfterEach
    void stop() {
        approvals.close();
    }

    static List<PushFinding> findings() {
        return List.of(new PushFinding(PushFinding.Where.FILE, "token_patterns", "github-pat", Finding.Severity.HIGH,
                "0123456789abcdef0123456789abcdef01234567", "tests/fixture.py", 3, "", true, "TOKEN = '[REDACTED:github-pat]'  # gitleaks:allow"));
    }

    private Path q() {
        return tmp.resolve("q");
    }

    private GitleaksAllow.Decision ask(Duration timeout, List<String> progress) {
        return GitleaksAllow.ask(approvals.service(), q(), "dev", timeout, "refs/heads/main", findings(),
                progress::add);
    }

    private Path awaitProposal() throws Exception {
        for (int i = 0; i < 500; i++) {
            if (Files.isDirectory(q())) {
                try (Stream<Path> s = Files.list(q())) {
                    List<Path> l = s.filter(p -> p.toString().endsWith(".proposal.json")
                            && !p.getFileName().toString().startsWith(".")).toList();
                    if (!l.isEmpty()) {
                        return l.get(0);
                    }
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no proposal");
    }

    /** Pushes one request, answers it with the given response file and returns the push's decision. */
    private GitleaksAllow.Decision decide(String responseJsonTemplate) throws Exception {
        List<String> progress = new ArrayList<>();
        CompletableFuture<GitleaksAllow.Decision> f = CompletableFuture.supplyAsync(
                () -> ask(Duration.ofSeconds(20), progress));
        String id = json.readTree(Files.readString(awaitProposal())).get("id").asText();
        Files.writeString(q().resolve(".tmp"), responseJsonTemplate.replace("ID", id));
        Files.move(q().resolve(".tmp"), q().resolve(id + ".response.json"));
        GitleaksAllow.Decision o = f.get(20, TimeUnit.SECONDS);
        assertTrue(Files.exists(q().resolve("processed/" + id + ".proposal.json")), "archived by the producer");
        assertTrue(Files.exists(q().resolve("processed/" + id + ".response.json")));
        assertFalse(Files.exists(q().resolve(id + ".proposal.json")));
        assertTrue(progress.stream().anyMatch(l -> l.contains("push " + o.request())), progress.toString());
        return o;
    }

    @Test
    void proposalIsAGitleaksAllowReportWithoutTheSecret() throws Exception {
        CompletableFuture<GitleaksAllow.Decision> f = CompletableFuture.supplyAsync(
                () -> ask(Duration.ofMillis(300), new ArrayList<>()));
        JsonNode p = json.readTree(Files.readString(awaitProposal()));
        assertEquals("gitleaks-allow", p.get("tool").asText());
        assertEquals("dev", p.get("bottle_slug").asText());
        assertTrue(p.get("justification").asText().contains("gitleaks:allow"));
        String payload = p.get("proposed_file").asText();
        assertTrue(payload.contains("ref: refs/heads/main") && payload.contains("file: tests/fixture.py")
                && payload.contains("line: 3") && payload.contains("rule: github-pat")
                && payload.contains("commit: 0123456789abcdef") && payload.contains("[REDACTED:github-pat]"), payload);
        GitleaksAllow.Decision o = f.get(10, TimeUnit.SECONDS);
        assertTrue(payload.contains("push: " + o.request()) && p.get("justification").asText().contains(o.request()),
                payload);
    }

    @Test
    void approvalWithReasonProceeds() throws Exception {
        GitleaksAllow.Decision o = decide("{\"proposal_id\":\"ID\",\"status\":\"approved\",\"notes\":\"fixture\"}");
        assertTrue(o.approved(), o.detail());
        assertEquals("supervisor approved gitleaks:allow: fixture", o.detail());
    }

    @Test
    void everythingElseRefuses() throws Exception {
        String[][] cases = {
                {"{\"proposal_id\":\"ID\",\"status\":\"rejected\",\"notes\":\"no\"}", "supervisor rejected gitleaks:allow: no"},
                {"{\"proposal_id\":\"ID\",\"status\":\"approved\",\"notes\":\"  \"}", "approval without a reason"},
                {"{\"proposal_id\":\"ID\",\"status\":\"approved\"}", "approval without a reason"},
                {"{\"proposal_id\":\"someone-else\",\"status\":\"approved\",\"notes\":\"x\"}", "invalid supervisor response"},
                {"{\"proposal_id\":\"ID\",\"status\":\"approved\",\"status\":\"rejected\",\"notes\":\"x\"}",
                        "invalid supervisor response"},
                {"{\"proposal_id\":\"ID\",\"status\":\"yes\",\"notes\":\"x\"}", "invalid supervisor response"},
                {"not json", "invalid supervisor response"}};
        for (String[] c : cases) {
            GitleaksAllow.Decision o = decide(c[0]);
            assertFalse(o.approved(), c[0] + " -> " + o.detail());
            assertTrue(o.detail().contains(c[1]) && o.detail().endsWith("refusing push"), c[0] + " -> " + o.detail());
        }
    }

    @Test
    void timeoutRefusesAndWithdraws() throws Exception {
        GitleaksAllow.Decision o = ask(Duration.ofMillis(300), new ArrayList<>());
        assertFalse(o.approved());
        assertTrue(o.detail().contains("timed out"), o.detail());
        try (Stream<Path> s = Files.list(q())) {
            assertTrue(s.noneMatch(p -> p.toString().endsWith(".proposal.json")), "withdrawn");
        }
        try (Stream<Path> s = Files.list(q().resolve("processed"))) {
            assertEquals(1, s.filter(p -> p.toString().endsWith(".proposal.json")).count());
        }
    }

    @Test
    void unusableQueueOrNoServiceRefuses() throws Exception {
        Files.writeString(tmp.resolve("notadir"), "x");
        GitleaksAllow.Decision o = GitleaksAllow.ask(approvals.service(), tmp.resolve("notadir"), "dev",
                Duration.ofSeconds(5), "refs/heads/main", findings(), l -> { });
        assertFalse(o.approved());
        assertTrue(o.detail().startsWith("supervisor approval failed (cannot queue the proposal"), o.detail());

        GitleaksAllow.Decision none = GitleaksAllow.ask(null, q(), "dev", Duration.ofSeconds(5), "refs/heads/main",
                findings(), l -> { });
        assertFalse(none.approved());
        assertTrue(none.detail().contains("no supervise ProposalQueue service is active"), none.detail());
        assertFalse(Files.exists(q()));
    }

    @Test
    void aServiceThatNeverAnswersIsBoundedAndAnApprovedFlagNeedsAReason() {
        ProposalQueue silent = (dir, bottle, tool, payload, why, timeout) -> new CompletableFuture<>();
        long t0 = System.nanoTime();
        GitleaksAllow.Decision o = GitleaksAllow.ask(silent, q(), "dev", Duration.ofMillis(100), "refs/heads/main",
                findings(), l -> { }, Duration.ofMillis(100));
        assertFalse(o.approved());
        assertTrue(o.detail().contains("timed out"), o.detail());
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(10));

        assertFalse(GitleaksAllow.decide("t", Duration.ofSeconds(1),
                new ProposalQueue.Outcome(true, "approved", " \t ")).approved(), "blank is no reason");
        assertTrue(GitleaksAllow.decide("t", Duration.ofSeconds(1),
                new ProposalQueue.Outcome(true, "modified", "fixture")).approved());
        assertFalse(GitleaksAllow.decide("t", Duration.ofSeconds(1),
                new ProposalQueue.Outcome(false, "approved", "x")).approved());
    }

    @Test
    void timeoutSetting() {
        assertEquals(Duration.ofSeconds(300), GitleaksAllow.timeoutFrom(null));
        assertEquals(Duration.ofSeconds(5), GitleaksAllow.timeoutFrom("5"));
        assertThrows(IllegalArgumentException.class, () -> GitleaksAllow.timeoutFrom("-1"));
        assertThrows(IllegalArgumentException.class, () -> GitleaksAllow.timeoutFrom("5s"));
    }
}
