package bot.bottle.supervise;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.node.ObjectNode;

import bot.bottle.supervise.audit.AuditKey;
import bot.bottle.supervise.core.BottleState;
import bot.bottle.supervise.core.CommandFailure;
import bot.bottle.supervise.core.Shell;
import bot.bottle.supervise.queue.Proposal;
import bot.bottle.supervise.queue.QueueDir;
import bot.bottle.supervise.queue.Response;
import bot.bottle.supervise.queue.Tool;

class SuperviseCoreTest {

    static final String LIVE = "routes:\n  - host: api.github.com\n";
    static final String PROPOSED = "routes:\n  - host: api.github.com\n  - host: pypi.org\n";

    @TempDir
    Path tmp;
    Fixtures fx;
    BottleState dev;

    @BeforeEach
    void setUp() throws Exception {
        fx = new Fixtures(tmp);
        dev = fx.bottle("dev", LIVE);
    }

    Proposal enqueue(BottleState b, Tool tool, String payload, String current) throws Exception {
        Proposal p = Proposal.create(b.slug(), tool, payload, "needed for dev", current);
        b.queue().write(p);
        return p;
    }

    Response response(BottleState b, Proposal p) {
        return ((QueueDir.Answered) b.queue().readResponse(p.id())).response();
    }

    @Test
    void approveAllowWritesLiveRoutesResponseAndAuditButLeavesArchivingToTheProducer() throws Exception {
        Proposal p = enqueue(dev, Tool.ALLOW, PROPOSED, LIVE);
        String shown = fx.shell().show(p.id().substring(0, 8));
        assertTrue(shown.contains("+  - host: pypi.org"), shown);
        assertTrue(shown.contains("adds host pypi.org"), shown);

        String out = fx.shell().approve(p.id(), "");
        assertTrue(out.startsWith("approved allow " + p.id()), out);
        assertEquals(PROPOSED, Files.readString(dev.routesFile()));
        assertEquals(List.of(dev.routesFile()), fx.applied);
        Response r = response(dev, p);
        assertEquals(Response.Status.APPROVED, r.status());
        assertEquals("local:tester", r.approver());
        assertEquals("shell", r.channel());
        assertFalse(Files.exists(dev.queue().processedDir()), "a channel never archives");

        List<ObjectNode> audit = dev.audit().entries();
        assertEquals(1, audit.size());
        ObjectNode e = audit.get(0);
        assertEquals("approved", e.get("action").asText());
        assertEquals("allow", e.get("tool").asText());
        assertEquals(LIVE, e.get("diff_before").asText());
        assertEquals(PROPOSED, e.get("diff_after").asText());
        assertEquals("local:tester", e.get("approver").asText());
        assertTrue(Files.exists(tmp.resolve("keys/audit-ed25519")));
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(tmp.resolve("keys/audit-ed25519"))));
        assertTrue(Shell.verify(dev, tmp.resolve("keys")).contains("1 entries verified"));
        // decided proposals cannot be decided twice
        CommandFailure again = assertThrows(CommandFailure.class, () -> fx.shell().reject(p.id(), "no"));
        assertTrue(again.getMessage().contains("already decided"), again.getMessage());
    }

    @Test
    void rejectNeedsReasonAndChangesNothing() throws Exception {
        Proposal p = enqueue(dev, Tool.EGRESS_BLOCK, PROPOSED, LIVE);
        CommandFailure f = assertThrows(CommandFailure.class, () -> fx.shell().reject(p.id(), ""));
        assertEquals(2, f.exitStatus());
        fx.shell().reject(p.id(), "not needed");
        assertEquals(LIVE, Files.readString(dev.routesFile()));
        assertEquals(Response.Status.REJECTED, response(dev, p).status());
        assertEquals("not needed", response(dev, p).notes());
        assertEquals("rejected", dev.audit().entries().get(0).get("action").asText());
    }

    @Test
    void reportOnlyKindsNeedAReasonAndCannotBeModified() throws Exception {
        for (Tool t : List.of(Tool.GITLEAKS_ALLOW, Tool.EGRESS_TOKEN_ALLOW)) {
            Proposal p = enqueue(dev, t, "finding 1:\n  rule: github-pat\n  code: token=REDACTED\n", "");
            CommandFailure noReason = assertThrows(CommandFailure.class, () -> fx.shell().approve(p.id(), " "));
            assertTrue(noReason.getMessage().contains("needs a reason"), noReason.getMessage());
            CommandFailure noModify = assertThrows(CommandFailure.class,
                    () -> fx.shell().modify(p.id(), "", (s, suffix) -> s + "x"));
            assertTrue(noModify.getMessage().contains("modify is unavailable for " + t.wireName()));
            fx.shell().approve(p.id(), "test fixture");
            assertEquals("test fixture", response(dev, p).notes());
        }
        // the audit records which report was decided, not its text
        for (ObjectNode e : dev.audit().entries()) {
            assertTrue(e.has("payload_sha256"));
            assertFalse(e.toString().contains("token=REDACTED"));
        }
        assertEquals(LIVE, Files.readString(dev.routesFile()));
    }

    @Test
    void modifyValidatesTheEditAndApprovesAsModified() throws Exception {
        Proposal p = enqueue(dev, Tool.ALLOW, PROPOSED, LIVE);
        CommandFailure bad = assertThrows(CommandFailure.class,
                () -> fx.shell().modify(p.id(), "", (s, suffix) -> "hosts: [x]\n"));
        assertTrue(bad.getMessage().contains("not valid"), bad.getMessage());
        assertEquals("modify aborted (no change)\n", fx.shell().modify(p.id(), "", (s, suffix) -> s));
        String narrowed = "routes:\n  - host: api.github.com\n  - host: files.pythonhosted.org\n";
        String out = fx.shell().modify(p.id(), "", (s, suffix) -> {
            assertEquals(".yaml", suffix);
            return narrowed;
        });
        assertTrue(out.startsWith("modified allow"), out);
        assertEquals(narrowed, Files.readString(dev.routesFile()));
        assertEquals(Response.Status.MODIFIED, response(dev, p).status());
        assertEquals(narrowed, response(dev, p).finalFile());
    }

    @Test
    void modifyWithTheRealEditorCommand() throws Exception {
        Proposal p = enqueue(dev, Tool.ALLOW, PROPOSED, LIVE);
        Path script = tmp.resolve("ed.sh");
        Files.writeString(script, "#!/bin/sh\nsed -i 's/pypi.org/test.pypi.org/' \"$1\"\n");
        script.toFile().setExecutable(true);
        fx.shell().modify(p.id(), "", bot.bottle.supervise.core.Editor.command(script.toString()));
        assertTrue(Files.readString(dev.routesFile()).contains("host: test.pypi.org"));
    }

    @Test
    void deniedHostsAreRefusedEvenWhenApproved() throws Exception {
        for (String host : List.of("169.254.169.254", "dns.google", "10.0.0.5", "localhost")) {
            String routes = LIVE + "  - host: \"" + host + "\"\n";
            Proposal p = enqueue(dev, Tool.ALLOW, routes, LIVE);
            CommandFailure f = assertThrows(CommandFailure.class, () -> fx.shell().approve(p.id(), ""));
            assertTrue(f.getMessage().contains("never allowed through supervise"), f.getMessage());
            assertEquals(LIVE, Files.readString(dev.routesFile()));
            assertFalse(dev.queue().claimed(p.id()), "a failed apply releases the claim");
            assertInstanceOf(QueueDir.None.class, dev.queue().readResponse(p.id()));
            fx.shell().reject(p.id(), "denied host");
        }
    }

    @Test
    void noValidatorMeansNoRoutesChange() throws Exception {
        Proposal p = enqueue(dev, Tool.ALLOW, PROPOSED, LIVE);
        fx.validator = null;
        CommandFailure f = assertThrows(CommandFailure.class, () -> fx.shell().approve(p.id(), ""));
        assertTrue(f.getMessage().contains("no routes validator"), f.getMessage());
        assertEquals(LIVE, Files.readString(dev.routesFile()));
    }

    @Test
    void staleProposalIsRefusedSoAnotherApprovalIsNotUndone() throws Exception {
        Proposal first = enqueue(dev, Tool.ALLOW, PROPOSED, LIVE);
        Proposal second = enqueue(dev, Tool.ALLOW, LIVE + "  - host: crates.io\n", LIVE);
        fx.shell().approve(first.id(), "");
        CommandFailure f = assertThrows(CommandFailure.class, () -> fx.shell().approve(second.id(), ""));
        assertTrue(f.getMessage().contains("changed since proposal"), f.getMessage());
        assertTrue(fx.shell().show(second.id()).contains("WARNING"));
        assertEquals(PROPOSED, Files.readString(dev.routesFile()));
    }

    @Test
    void capabilityBlockStoresTheNextDockerfile() throws Exception {
        Files.writeString(dev.runningDockerfile(), "FROM node:22\n");
        Proposal p = enqueue(dev, Tool.CAPABILITY_BLOCK, "FROM node:22\nRUN apt-get install -y jq\n", "FROM node:22\n");
        assertTrue(fx.shell().show(p.id()).contains("+RUN apt-get install -y jq"));
        String out = fx.shell().approve(p.id(), "");
        assertTrue(out.contains("next resume (bot-bottle resume <slug>)"), out);
        assertEquals("FROM node:22\nRUN apt-get install -y jq\n", Files.readString(dev.nextDockerfile()));
        assertEquals("FROM node:22\n", Files.readString(dev.runningDockerfile()));
    }

    @Test
    void aWithdrawnProposalCannotBeApproved() throws Exception {
        Proposal p = enqueue(dev, Tool.ALLOW, PROPOSED, LIVE);
        assertTrue(dev.queue().claim(p.id(), "timeout")); // the producer timed out first
        CommandFailure f = assertThrows(CommandFailure.class, () -> fx.shell().approve(p.id(), ""));
        assertTrue(f.getMessage().contains("withdrawn"), f.getMessage());
        assertEquals(LIVE, Files.readString(dev.routesFile()));
    }

    @Test
    void listShowsEveryBottleAndMalformedFilesAndSanitises() throws Exception {
        BottleState other = fx.bottle("other", LIVE);
        Proposal p = Proposal.create("other", Tool.ALLOW, PROPOSED, "please \u001b[31mred\u202E", LIVE);
        other.queue().write(p);
        enqueue(dev, Tool.CAPABILITY_BLOCK, "FROM x\n", "");
        Files.writeString(dev.queue().dir().resolve("zzz.proposal.json"), "{oops");
        String text = fx.shell().list(false);
        assertTrue(text.contains("other") && text.contains("dev"), text);
        assertTrue(text.contains("malformed: dev/zzz.proposal.json"), text);
        assertFalse(text.contains("\u001b") || text.contains("\u202E"), text);
        assertTrue(text.contains("\\e[31mred<U+202E>"), text);
        String json = fx.shell().list(true);
        assertEquals(2, bot.bottle.supervise.queue.Json.parseObject(json).get("pending").size());
    }

    @Test
    void auditKeyIsReusedAndVerifiesAcrossEntries() throws Exception {
        for (int i = 0; i < 3; i++) {
            Proposal p = enqueue(dev, Tool.EGRESS_BLOCK, PROPOSED, LIVE);
            fx.shell().reject(p.id(), "no " + i);
        }
        String fp = AuditKey.loadOrCreate(tmp.resolve("keys")).fingerprint();
        for (ObjectNode e : dev.audit().entries()) {
            assertEquals(fp, e.get("key").asText());
        }
        assertTrue(Shell.verify(dev, tmp.resolve("keys")).contains("3 entries verified"));
    }
}
