package bot.bottle.supervise;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import bot.bottle.supervise.core.BottleState;
import bot.bottle.supervise.core.SuperviseCore;
import bot.bottle.supervise.queue.Proposal;
import bot.bottle.supervise.queue.QueueDir;
import bot.bottle.supervise.queue.Response;
import bot.bottle.supervise.queue.Tool;
import bot.bottle.supervise.tui.Key;
import bot.bottle.supervise.tui.TuiBackend;
import bot.bottle.supervise.tui.TuiModel;

/** The terminal UI's state, keys and screen, over the real supervise core and real queue files. */
class TuiModelTest {

    static final String LIVE = "routes:\n  - host: api.github.com\n";
    static final String PROPOSED = LIVE + "  - host: pypi.org\n";

    @TempDir
    Path tmp;
    Fixtures fx;
    BottleState dev;
    SuperviseCore core;
    TuiModel ui;
    Instant now = Instant.parse("2026-05-01T12:00:00Z");

    @BeforeEach
    void setUp() throws Exception {
        fx = new Fixtures(tmp);
        dev = fx.bottle("dev", LIVE);
        core = fx.core();
        TuiBackend backend = new TuiBackend() {
            public List<bot.bottle.api.approval.PendingProposal> pending() {
                return core.pending();
            }

            public String describe(String id) {
                return core.describe(id);
            }

            public String decide(bot.bottle.api.approval.Decision d) {
                return core.decide(d);
            }

            public java.util.Optional<String> payload(String id) {
                return core.editable(core.find(id));
            }
        };
        ui = new TuiModel(backend, "local:tester", Clock.fixed(now, ZoneOffset.UTC));
    }

    Proposal enqueue(BottleState b, Tool tool, String payload, String justification, Instant arrival)
            throws IOException {
        Proposal p = Proposal.create(b.slug(), tool, payload, justification, tool.changesRoutes() ? LIVE : "");
        p = new Proposal(p.id(), p.bottleSlug(), p.tool(), p.proposedFile(), p.justification(), arrival,
                p.currentFileHash());
        b.queue().write(p);
        return p;
    }

    String screen(int cols, int rows) {
        List<TuiModel.Line> lines = ui.render(cols, rows);
        assertEquals(rows, lines.size());
        for (TuiModel.Line l : lines) {
            assertTrue(l.text().codePointCount(0, l.text().length()) <= cols, l.text());
        }
        return lines.stream().map(TuiModel.Line::text).collect(Collectors.joining("\n"));
    }

    void type(String s) {
        s.codePoints().forEach(c -> ui.handle(Key.ch(c)));
    }

    Response response(BottleState b, Proposal p) {
        return ((QueueDir.Answered) b.queue().readResponse(p.id())).response();
    }

    @Test
    void listShowsToolBottleAgeAndSanitisedSummaryAcrossBottles() throws Exception {
        BottleState web = fx.bottle("web", LIVE);
        enqueue(dev, Tool.ALLOW, PROPOSED, "pip needs pypi \u001b]0;pwned\u0007\u202Eevil", now.minusSeconds(300));
        enqueue(web, Tool.GITLEAKS_ALLOW, "finding: test key", "fixture in tests/", now.minusSeconds(30));
        ui.refresh();
        String s = screen(100, 12);
        assertTrue(s.contains("2 pending"), s);
        assertTrue(s.contains("operator local:tester"), s);
        assertTrue(s.matches("(?s).*> allow\\s+dev\\s+5m\\s+pip needs pypi \\\\e]0;pwned\\\\x07<U\\+202E>evil.*"), s);
        assertTrue(s.matches("(?s).*  gitleaks-allow\\s+web\\s+30s\\s+fixture in tests/.*"), s);
        assertFalse(s.contains("\u001b") || s.contains("\u202E") || s.contains("\u0007"), s);
        assertTrue(s.contains("a approve") && s.contains("q quit"), s);
        ui.handle(Key.of(Key.Type.DOWN));
        assertEquals("web", ui.selected().orElseThrow().bottle());
        ui.handle(Key.ch('k'));
        assertEquals("dev", ui.selected().orElseThrow().bottle());
        assertInstanceOf(TuiModel.Quit.class, ui.handle(Key.ch('q')));
    }

    @Test
    void detailShowsJustificationAndDiffAndScrolls() throws Exception {
        enqueue(dev, Tool.ALLOW, PROPOSED, "line one\nline two", now);
        ui.refresh();
        ui.handle(Key.of(Key.Type.ENTER));
        assertEquals(TuiModel.Mode.DETAIL, ui.mode());
        String s = screen(80, 40);
        assertTrue(s.contains("bottle    dev"), s);
        assertTrue(s.contains("  line one") && s.contains("  line two"), s);
        assertTrue(s.contains("+  - host: pypi.org"), s);
        assertTrue(s.contains("adds host pypi.org"), s);
        // a small screen scrolls the detail
        String top = screen(80, 8);
        ui.handle(Key.of(Key.Type.END));
        String bottom = screen(80, 8);
        assertNotEquals(top, bottom);
        assertTrue(bottom.contains("adds host pypi.org"), bottom);
        ui.handle(Key.of(Key.Type.ESC));
        assertEquals(TuiModel.Mode.LIST, ui.mode());
    }

    @Test
    void approveGoesThroughAPromptAndAppliesAsChannelTui() throws Exception {
        Proposal p = enqueue(dev, Tool.ALLOW, PROPOSED, "pip", now);
        ui.refresh();
        ui.handle(Key.ch('a'));
        assertEquals(TuiModel.Mode.PROMPT, ui.mode());
        assertTrue(screen(100, 10).contains("Approve allow from dev? Reason (optional), Enter approves"));
        assertEquals(LIVE, Files.readString(dev.routesFile()), "nothing happens before Enter");
        ui.handle(Key.of(Key.Type.ENTER));
        assertEquals(PROPOSED, Files.readString(dev.routesFile()));
        Response r = response(dev, p);
        assertEquals(Response.Status.APPROVED, r.status());
        assertEquals("tui", r.channel());
        assertEquals("local:tester", r.approver());
        assertEquals("tui", dev.audit().entries().get(0).get("channel").asText());
        assertTrue(ui.status().startsWith("approved allow " + p.id()), ui.status());
        assertFalse(ui.statusIsError());
        assertTrue(ui.items().isEmpty());
        assertTrue(screen(100, 10).contains("no pending proposals"));
    }

    @Test
    void escapeCancelsThePrompt() throws Exception {
        enqueue(dev, Tool.ALLOW, PROPOSED, "pip", now);
        ui.refresh();
        ui.handle(Key.ch('a'));
        type("x");
        ui.handle(Key.of(Key.Type.ESC));
        assertEquals(TuiModel.Mode.LIST, ui.mode());
        assertEquals("approve cancelled", ui.status());
        assertEquals(LIVE, Files.readString(dev.routesFile()));
        assertEquals(1, ui.items().size());
    }

    @Test
    void reportOnlyApprovalNeedsAReasonAndCannotBeModified() throws Exception {
        Proposal p = enqueue(dev, Tool.EGRESS_TOKEN_ALLOW, "header Authorization: ghp_...REDACTED", "upload", now);
        ui.refresh();
        assertInstanceOf(TuiModel.None.class, ui.handle(Key.ch('m')));
        assertTrue(ui.statusIsError());
        assertTrue(ui.status().contains("modify is unavailable for egress-token-allow"), ui.status());

        ui.handle(Key.ch('a'));
        assertTrue(screen(120, 10).contains("Reason (required for egress-token-allow)"));
        ui.handle(Key.of(Key.Type.ENTER));
        assertEquals(TuiModel.Mode.PROMPT, ui.mode(), "an empty reason keeps the prompt open");
        assertTrue(ui.statusIsError());
        assertInstanceOf(QueueDir.None.class, dev.queue().readResponse(p.id()));
        type("test tokx");
        ui.handle(Key.of(Key.Type.BACKSPACE));
        type("en");
        ui.handle(Key.of(Key.Type.ENTER));
        Response r = response(dev, p);
        assertEquals(Response.Status.APPROVED, r.status());
        assertEquals("test token", r.notes());
    }

    @Test
    void rejectNeedsAReason() throws Exception {
        Proposal p = enqueue(dev, Tool.EGRESS_BLOCK, PROPOSED, "curl failed", now);
        ui.refresh();
        ui.handle(Key.ch('r'));
        ui.handle(Key.of(Key.Type.ENTER));
        assertTrue(ui.status().contains("rejecting needs a reason"), ui.status());
        // control characters typed into a reason are dropped
        type("use the mirror\u001b");
        ui.handle(Key.of(Key.Type.ENTER));
        Response r = response(dev, p);
        assertEquals(Response.Status.REJECTED, r.status());
        assertEquals("use the mirror", r.notes());
        assertEquals(LIVE, Files.readString(dev.routesFile()));
    }

    @Test
    void modifyHandsTheFileToTheEditorAndApprovesTheValidatedEdit() throws Exception {
        Proposal p = enqueue(dev, Tool.ALLOW, PROPOSED, "pip", now);
        ui.refresh();
        TuiModel.Effect e = ui.handle(Key.ch('m'));
        TuiModel.Edit edit = assertInstanceOf(TuiModel.Edit.class, e);
        assertEquals(PROPOSED, edit.payload());
        assertEquals(".yaml", edit.suffix());
        ui.edited(edit, PROPOSED);
        assertEquals("modify aborted (no change)", ui.status());
        ui.edited(edit, "routes: [oops\n");
        assertTrue(ui.statusIsError());
        assertTrue(ui.status().startsWith("not decided:"), ui.status());
        assertEquals(LIVE, Files.readString(dev.routesFile()));
        ui.editFailed(edit, new IOException("editor 'vi' exited with status 1"));
        assertTrue(ui.status().contains("exited with status 1"));

        String narrowed = LIVE + "  - host: files.pythonhosted.org\n";
        ui.edited(edit, narrowed);
        assertEquals(narrowed, Files.readString(dev.routesFile()));
        assertEquals(Response.Status.MODIFIED, response(dev, p).status());
        assertEquals("tui", response(dev, p).channel());
    }

    @Test
    void newProposalsAppearOnRefreshAndRingTheBell() throws Exception {
        ui.refresh();
        assertFalse(ui.takeBell());
        assertTrue(screen(80, 10).contains("no pending proposals"));
        enqueue(dev, Tool.CAPABILITY_BLOCK, "FROM node:22\nRUN apt-get install -y jq\n", "needs jq", now);
        ui.refresh();
        assertTrue(screen(80, 10).contains("capability-block"));
        assertEquals("new proposal: capability-block from dev", ui.status());
        assertTrue(ui.takeBell());
        assertFalse(ui.takeBell());
        ui.refresh();
        assertFalse(ui.takeBell(), "a proposal is new once");
    }

    @Test
    void aProposalDecidedElsewhereClosesItsDetailView() throws Exception {
        Proposal p = enqueue(dev, Tool.ALLOW, PROPOSED, "pip", now);
        ui.refresh();
        ui.handle(Key.of(Key.Type.ENTER));
        ui.handle(Key.ch('a'));
        fx.shell().reject(p.id(), "no"); // another channel wins
        ui.handle(Key.of(Key.Type.ENTER));
        assertTrue(ui.statusIsError());
        assertTrue(ui.status().contains("already decided") || ui.status().contains("no longer pending")
                || ui.status().contains("no pending proposal"), ui.status());
        assertEquals(Response.Status.REJECTED, response(dev, p).status());
        assertEquals(LIVE, Files.readString(dev.routesFile()));
        assertEquals(TuiModel.Mode.LIST, ui.mode());
    }

    @Test
    void theSameIdInTwoBottlesDecidesTheOneOnScreen() throws Exception {
        BottleState evil = fx.bottle("evil", LIVE);
        Proposal mine = enqueue(dev, Tool.ALLOW, PROPOSED, "pip", now);
        // another bottle reuses the id, and claims to have arrived earlier so it sorts first
        Proposal copy = new Proposal(mine.id(), "evil", Tool.ALLOW, LIVE + "  - host: evil.example\n", "same id",
                now.minusSeconds(60), mine.currentFileHash());
        evil.queue().write(copy);
        ui.refresh();
        ui.handle(Key.of(Key.Type.DOWN));
        assertEquals("dev", ui.selected().orElseThrow().bottle());
        ui.handle(Key.ch('a'));
        ui.handle(Key.of(Key.Type.ENTER));
        assertEquals(PROPOSED, Files.readString(dev.routesFile()));
        assertEquals(LIVE, Files.readString(evil.routesFile()));
        assertInstanceOf(QueueDir.None.class, evil.queue().readResponse(copy.id()));
        // unqualified, the id is ambiguous and refused
        IllegalArgumentException amb = assertThrows(IllegalArgumentException.class, () -> {
            Proposal again = enqueue(dev, Tool.ALLOW, PROPOSED, "x", now);
            Proposal dup = new Proposal(again.id(), "evil", Tool.ALLOW, PROPOSED, "y", now, again.currentFileHash());
            evil.queue().write(dup);
            core.find(again.id());
        });
        assertTrue(amb.getMessage().contains("dev, evil") || amb.getMessage().contains("evil, dev"), amb.getMessage());
    }

    @Test
    void aFileClaimingAnotherBottleIsShownWithItsQueuesBottle() throws Exception {
        BottleState web = fx.bottle("web", LIVE);
        Proposal p = Proposal.create("prod", Tool.ALLOW, PROPOSED, "spoofed", LIVE);
        web.queue().write(p);
        ui.refresh();
        assertEquals("web", ui.selected().orElseThrow().bottle());
        ui.handle(Key.of(Key.Type.ENTER));
        String s = screen(120, 30);
        assertTrue(s.contains("bottle    web"), s);
        assertTrue(s.contains("WARNING: the file names bottle prod but sits in the queue of bottle web"), s);
    }
}
