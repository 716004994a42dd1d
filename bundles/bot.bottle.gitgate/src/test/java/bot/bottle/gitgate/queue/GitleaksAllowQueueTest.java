package bot.bottle.gitgate.queue;

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

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import bot.bottle.api.dlp.Finding;
import bot.bottle.gitgate.scan.PushFinding;

class GitleaksAllowQueueTest {

    @TempDir
    Path tmp;
    final ObjectMapper json = new ObjectMapper();

    static List<PushFinding> findings() {
        return List.of(new PushFinding(PushFinding.Where.FILE, "token_patterns", "github-pat", Finding.Severity.HIGH,
                "0123456789abcdef0123456789abcdef01234567", "tests/fixture.py", 3, "", true,
                "TOKEN = '[REDACTED:github-pat]'  # gitleaks:allow"));
    }

    private GitleaksAllowQueue queue(Duration timeout) {
        return new GitleaksAllowQueue(tmp.resolve("q"), "dev", timeout, Duration.ofMillis(20), Duration.ofMillis(300));
    }

    private Path awaitProposal() throws Exception {
        for (int i = 0; i < 500; i++) {
            if (Files.isDirectory(tmp.resolve("q"))) {
                try (Stream<Path> s = Files.list(tmp.resolve("q"))) {
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

    private GitleaksAllowQueue.Outcome decide(String responseJsonTemplate) throws Exception {
        GitleaksAllowQueue q = queue(Duration.ofSeconds(20));
        List<String> progress = new ArrayList<>();
        CompletableFuture<GitleaksAllowQueue.Outcome> f = CompletableFuture.supplyAsync(
                () -> q.ask("refs/heads/main", findings(), progress::add));
        Path p = awaitProposal();
        JsonNode proposal = json.readTree(Files.readString(p));
        String id = proposal.get("id").asText();
        Files.writeString(tmp.resolve("q/.tmp"), responseJsonTemplate.replace("ID", id));
        Files.move(tmp.resolve("q/.tmp"), tmp.resolve("q/" + id + ".response.json"));
        GitleaksAllowQueue.Outcome o = f.get(20, TimeUnit.SECONDS);
        assertTrue(Files.exists(tmp.resolve("q/processed/" + id + ".proposal.json")), "archived by the producer");
        assertTrue(Files.exists(tmp.resolve("q/processed/" + id + ".response.json")));
        assertFalse(progress.isEmpty());
        return o;
    }

    @Test
    void proposalFollowsTheSupervisionSchema() throws Exception {
        GitleaksAllowQueue q = queue(Duration.ofMillis(200));
        CompletableFuture<GitleaksAllowQueue.Outcome> f = CompletableFuture.supplyAsync(
                () -> q.ask("refs/heads/main", findings(), l -> { }));
        JsonNode p = json.readTree(Files.readString(awaitProposal()));
        assertEquals("gitleaks-allow", p.get("tool").asText());
        assertEquals("dev", p.get("bottle_slug").asText());
        assertTrue(p.get("justification").asText().contains("gitleaks:allow"));
        String payload = p.get("proposed_file").asText();
        assertTrue(payload.contains("ref: refs/heads/main") && payload.contains("file: tests/fixture.py")
                && payload.contains("line: 3") && payload.contains("rule: github-pat")
                && payload.contains("commit: 0123456789abcdef") && payload.contains("[REDACTED:github-pat]"), payload);
        assertEquals(GitleaksAllowQueue.sha256Hex(payload), p.get("current_file_hash").asText());
        assertTrue(p.get("arrival_timestamp").asText().endsWith("Z"));
        f.get(10, TimeUnit.SECONDS);
    }

    @Test
    void approvalWithReasonProceeds() throws Exception {
        GitleaksAllowQueue.Outcome o = decide("{\"proposal_id\":\"ID\",\"status\":\"approved\",\"notes\":\"fixture\"}");
        assertTrue(o.approved(), o.detail());
        assertTrue(o.detail().contains("fixture"));
    }

    @Test
    void everythingElseRefuses() throws Exception {
        for (String bad : List.of("{\"proposal_id\":\"ID\",\"status\":\"rejected\",\"notes\":\"no\"}",
                "{\"proposal_id\":\"ID\",\"status\":\"approved\",\"notes\":\"\"}",
                "{\"proposal_id\":\"ID\",\"status\":\"approved\"}",
                "{\"proposal_id\":\"someone-else\",\"status\":\"approved\",\"notes\":\"x\"}",
                "{\"proposal_id\":\"ID\",\"status\":\"approved\",\"status\":\"rejected\",\"notes\":\"x\"}",
                "{\"proposal_id\":\"ID\",\"status\":\"yes\",\"notes\":\"x\"}",
                "not json")) {
            GitleaksAllowQueue.Outcome o = decide(bad);
            assertFalse(o.approved(), bad + " -> " + o.detail());
        }
    }

    @Test
    void timeoutWithdrawsWithAClaim() throws Exception {
        GitleaksAllowQueue.Outcome o = queue(Duration.ofMillis(300)).ask("refs/heads/main", findings(), l -> { });
        assertFalse(o.approved());
        assertTrue(o.detail().contains("timed out"), o.detail());
        assertTrue(Files.exists(tmp.resolve("q/processed/" + o.proposalId() + ".proposal.json")));
        assertFalse(Files.exists(tmp.resolve("q/" + o.proposalId() + ".claim")));
    }

    @Test
    void anOperatorClaimAtTheLastMomentGetsAGraceThenRefuses() throws Exception {
        GitleaksAllowQueue q = queue(Duration.ofMillis(400));
        CompletableFuture<GitleaksAllowQueue.Outcome> f = CompletableFuture.supplyAsync(
                () -> q.ask("refs/heads/main", findings(), l -> { }));
        String id = json.readTree(Files.readString(awaitProposal())).get("id").asText();
        Files.writeString(tmp.resolve("q/" + id + ".claim"), "operator\n"); // the operator won the claim
        GitleaksAllowQueue.Outcome o = f.get(10, TimeUnit.SECONDS);
        assertFalse(o.approved());
        assertTrue(o.detail().contains("no response arrived"), o.detail());
    }

    @Test
    void unusableQueueRefuses() throws Exception {
        Files.writeString(tmp.resolve("notadir"), "x");
        GitleaksAllowQueue.Outcome o = new GitleaksAllowQueue(tmp.resolve("notadir"), "dev", Duration.ofSeconds(1))
                .ask("refs/heads/main", findings(), l -> { });
        assertFalse(o.approved());
        assertTrue(o.detail().contains("supervisor"), o.detail());
    }

    @Test
    void timeoutSetting() {
        assertEquals(Duration.ofSeconds(300), GitleaksAllowQueue.timeoutFrom(null));
        assertEquals(Duration.ofSeconds(5), GitleaksAllowQueue.timeoutFrom("5"));
        assertThrows(IllegalArgumentException.class, () -> GitleaksAllowQueue.timeoutFrom("-1"));
        assertThrows(IllegalArgumentException.class, () -> GitleaksAllowQueue.timeoutFrom("5s"));
    }
}
