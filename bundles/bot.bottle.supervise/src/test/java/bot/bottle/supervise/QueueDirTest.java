package bot.bottle.supervise;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import bot.bottle.supervise.queue.Proposal;
import bot.bottle.supervise.queue.QueueDir;
import bot.bottle.supervise.queue.Response;
import bot.bottle.supervise.queue.Tool;

class QueueDirTest {

    @TempDir
    Path tmp;

    @Test
    void proposalRoundTripsWithSeedFieldNamesAndMode0600() throws Exception {
        QueueDir q = new QueueDir(tmp.resolve("queue"));
        Proposal p = Proposal.create("dev", Tool.ALLOW, "routes:\n  - host: example.com\n", "need it", "routes: []\n");
        q.write(p);
        Path f = tmp.resolve("queue/" + p.id() + ".proposal.json");
        String text = Files.readString(f);
        for (String key : List.of("\"id\"", "\"bottle_slug\"", "\"tool\" : \"allow\"", "\"proposed_file\"",
                "\"justification\"", "\"arrival_timestamp\"", "\"current_file_hash\"")) {
            assertTrue(text.contains(key), key + " in " + text);
        }
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        QueueDir.Scan scan = q.scan();
        assertEquals(List.of(), scan.problems());
        assertEquals(1, scan.pending().size());
        assertEquals(p, scan.pending().get(0).proposal());
        assertFalse(scan.pending().get(0).decided());
        // no temp files left behind
        try (var s = Files.list(tmp.resolve("queue"))) {
            assertEquals(1, s.count());
        }
    }

    @Test
    void readsPythonSeedProposal() throws Exception {
        Path dir = tmp.resolve("queue");
        Files.createDirectories(dir);
        String id = "0b6f3c1e-5d2a-4c9b-9d61-2f1e9a7c4b10";
        Files.writeString(dir.resolve(id + ".proposal.json"), "{\n  \"id\": \"" + id + "\",\n"
                + "  \"bottle_slug\": \"dev\",\n  \"tool\": \"gitleaks-allow\",\n"
                + "  \"proposed_file\": \"finding 1:\\n\",\n  \"justification\": \"git-gate found\",\n"
                + "  \"arrival_timestamp\": \"2026-06-23T21:37:01.123456+00:00\",\n"
                + "  \"current_file_hash\": \"abc\"\n}\n");
        QueueDir.Scan scan = new QueueDir(dir).scan();
        assertEquals(List.of(), scan.problems());
        assertEquals(Tool.GITLEAKS_ALLOW, scan.pending().get(0).proposal().tool());
    }

    @Test
    void malformedFilesAreReportedNotThrown() throws Exception {
        Path dir = tmp.resolve("queue");
        QueueDir q = new QueueDir(dir);
        Proposal good = Proposal.create("dev", Tool.CAPABILITY_BLOCK, "FROM x\n", "why", "");
        q.write(good);
        Files.writeString(dir.resolve("aaa.proposal.json"), "{not json");
        Files.writeString(dir.resolve("bbb.proposal.json"), "[1,2]");
        Files.writeString(dir.resolve("ccc.proposal.json"),
                "{\"id\":\"ccc\",\"bottle_slug\":\"dev\",\"tool\":\"rm-rf\",\"proposed_file\":\"\","
                        + "\"justification\":\"\",\"arrival_timestamp\":\"2026-01-01T00:00:00Z\"}");
        Files.writeString(dir.resolve("ddd.proposal.json"),
                "{\"id\":\"other\",\"bottle_slug\":\"dev\",\"tool\":\"allow\",\"proposed_file\":\"\","
                        + "\"justification\":\"\",\"arrival_timestamp\":\"2026-01-01T00:00:00Z\"}");
        Files.writeString(dir.resolve("eee.proposal.json"), "{\"id\":\"eee\",\"id\":\"eee\"}");
        Files.write(dir.resolve("fff.proposal.json"), new byte[QueueDir.MAX_FILE_BYTES + 10]);
        Files.writeString(dir.resolve("bad name!.proposal.json"), "{}");
        QueueDir.Scan scan = q.scan();
        assertEquals(1, scan.pending().size());
        assertEquals(7, scan.problems().size(), scan.problems().toString());
        assertTrue(scan.problems().stream().anyMatch(p -> p.reason().contains("unknown tool")));
        assertTrue(scan.problems().stream().anyMatch(p -> p.reason().contains("does not match the file name")));
    }

    @Test
    void responseStatesAndMalformedResponsesNeverThrow() throws Exception {
        Path dir = tmp.resolve("queue");
        QueueDir q = new QueueDir(dir);
        Proposal p = Proposal.create("dev", Tool.ALLOW, "routes: []\n", "why", "");
        q.write(p);
        assertInstanceOf(QueueDir.None.class, q.readResponse(p.id()));
        Path rf = dir.resolve(p.id() + ".response.json");
        for (String bad : List.of("", "{", "{\"proposal_id\":\"" + p.id() + "\",\"status\":\"yes\"}",
                "{\"proposal_id\":\"someone-else\",\"status\":\"approved\"}",
                "{\"proposal_id\":\"" + p.id() + "\",\"status\":\"approved\",\"status\":\"rejected\"}",
                "{\"proposal_id\":\"" + p.id() + "\",\"status\":\"modified\",\"final_file\":\"\"}",
                "{\"proposal_id\":\"" + p.id() + "\",\"status\":[\"approved\"]}")) {
            Files.writeString(rf, bad);
            assertInstanceOf(QueueDir.Malformed.class, q.readResponse(p.id()), bad);
        }
        q.writeResponse(Response.of(p.id(), Response.Status.APPROVED, "routes: []\n", "ok", "local:me", "shell"));
        QueueDir.ResponseState rs = q.readResponse(p.id());
        assertEquals(Response.Status.APPROVED, ((QueueDir.Answered) rs).response().status());
        assertTrue(q.scan().pending().get(0).decided());
    }

    @Test
    void claimIsFirstWinsAndArchiveMovesThePair() throws Exception {
        QueueDir q = new QueueDir(tmp.resolve("queue"));
        Proposal p = Proposal.create("dev", Tool.ALLOW, "routes: []\n", "why", "");
        q.write(p);
        assertTrue(q.claim(p.id(), "operator"));
        assertFalse(q.claim(p.id(), "timeout"));
        q.writeResponse(Response.of(p.id(), Response.Status.REJECTED, "", "no", "local:me", "shell"));
        q.archive(p.id());
        assertTrue(Files.exists(q.processedDir().resolve(p.id() + ".proposal.json")));
        assertTrue(Files.exists(q.processedDir().resolve(p.id() + ".response.json")));
        assertFalse(q.claimed(p.id()));
        assertEquals(0, q.scan().pending().size());
    }

    @Test
    void missingQueueDirectoryIsEmpty() {
        QueueDir.Scan scan = new QueueDir(tmp.resolve("nope")).scan();
        assertTrue(scan.pending().isEmpty());
        assertTrue(scan.problems().isEmpty());
    }
}
