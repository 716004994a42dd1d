package bot.bottle.supervise;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.node.ObjectNode;

import bot.bottle.supervise.audit.AuditKey;
import bot.bottle.supervise.core.BottleState;
import bot.bottle.supervise.queue.Proposal;
import bot.bottle.supervise.queue.QueueDir;
import bot.bottle.supervise.queue.Response;
import bot.bottle.supervise.queue.Tool;

/**
 * {@code bot-bottle supervise} in a real terminal: tmux runs the distribution's launcher, the test writes
 * proposals into the queues exactly as the MCP server does, types keys with {@code send-keys} and reads
 * the screen with {@code capture-pane}, then checks the response files and the audit log.
 */
class TuiTmuxTest {

    static final String LIVE = "routes:\n  - host: api.github.com\n";
    static final String PROPOSED = LIVE + "  - host: pypi.org\n";
    /** Kernel start-up under a loaded 2-core build machine can take several seconds. */
    static final long START_MILLIS = 90_000;
    static final long STEP_MILLIS = 20_000;

    @TempDir
    Path tmp;
    String socket = "bb-tui-" + UUID.randomUUID().toString().substring(0, 8);
    String session = "tui";
    boolean started;
    DistFixture dist;

    @AfterEach
    void stop() throws Exception {
        if (started) {
            run(List.of("tmux", "-L", socket, "kill-server"));
        }
        if (dist != null) {
            dist.close();
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void operatorDecidesThroughTheTerminalUi() throws Exception {
        DistFixture.skipUnless(tmuxAvailable(), "tmux is not installed (apt-get install tmux)");
        dist = DistFixture.create(tmp);
        Path home = tmp.resolve("home");
        Fixtures fx = new Fixtures(home);
        BottleState dev = fx.bottle("dev", LIVE);
        BottleState web = fx.bottle("web", LIVE);
        Proposal allow = queue(dev, Tool.ALLOW, PROPOSED, "pip install needs pypi", LIVE);
        Proposal block = queue(web, Tool.EGRESS_BLOCK, LIVE + "  - host: crates.io\n", "cargo fetch was blocked", LIVE);
        Path editor = tmp.resolve("editor.sh");
        Files.writeString(editor, "#!/bin/sh\nsed -i 's/host: pypi.org/host: files.pythonhosted.org/' \"$1\"\n");
        editor.toFile().setExecutable(true);

        String cmd = "env BOT_BOTTLE_HOME='" + home + "' BOT_BOTTLE_DIST='" + dist.dist + "' EDITOR='" + editor
                + "' VISUAL= '" + dist.launcher + "' supervise; echo TUI-EXIT=$?; sleep 600";
        run(List.of("tmux", "-L", socket, "-f", "/dev/null", "new-session", "-d", "-s", session, "-x", "130", "-y",
                "40", cmd));
        started = true;

        String s = waitScreen(START_MILLIS, x -> x.contains("2 pending"));
        assertTrue(s.contains("bot-bottle supervise"), s);
        assertTrue(s.contains("operator local:" + System.getProperty("user.name")), s);
        assertTrue(s.matches("(?s).*> allow\\s+dev\\s+\\d+s\\s+pip install needs pypi.*"), s);
        assertTrue(s.matches("(?s).*  egress-block\\s+web\\s+\\d+s\\s+cargo fetch was blocked.*"), s);

        // select the second proposal, read its detail view, reject it with a reason
        keys("Down");
        s = waitScreen(STEP_MILLIS, x -> x.matches("(?s).*> egress-block\\s+web.*"));
        keys("Enter");
        s = waitScreen(STEP_MILLIS, x -> x.contains("proposal web/" + block.id()));
        assertTrue(s.contains("cargo fetch was blocked"), s);
        assertTrue(s.contains("+  - host: crates.io"), s);
        keys("r");
        waitScreen(STEP_MILLIS, x -> x.contains("Reject egress-block from web. Reason (required"));
        keys("Enter");
        waitScreen(STEP_MILLIS, x -> x.contains("rejecting needs a reason"));
        type("use the vendored crates");
        keys("Enter");
        s = waitScreen(STEP_MILLIS, x -> x.contains("rejected egress-block " + block.id()));
        Response rejected = response(web, block);
        assertEquals(Response.Status.REJECTED, rejected.status());
        assertEquals("use the vendored crates", rejected.notes());
        assertEquals("tui", rejected.channel());
        assertEquals(LIVE, Files.readString(web.routesFile()));

        // live refresh: a proposal queued while the UI runs shows up without a key press
        Proposal report = queue(dev, Tool.GITLEAKS_ALLOW, "finding: generic-api-key in tests/fixture.py:3",
                "test fixture, not a real key", "");
        s = waitScreen(STEP_MILLIS, x -> x.contains("gitleaks-allow") && x.contains("2 pending"));
        assertTrue(s.contains("new proposal: gitleaks-allow from dev"), s);

        // approve the selected allow proposal
        keys("Home");
        waitScreen(STEP_MILLIS, x -> x.matches("(?s).*> allow\\s+dev.*"));
        keys("a");
        waitScreen(STEP_MILLIS, x -> x.contains("Approve allow from dev? Reason (optional), Enter approves"));
        keys("Enter");
        s = waitScreen(STEP_MILLIS, x -> x.contains("approved allow " + allow.id()));
        assertEquals(PROPOSED, Files.readString(dev.routesFile()));
        Response approved = response(dev, allow);
        assertEquals(Response.Status.APPROVED, approved.status());
        assertEquals("local:" + System.getProperty("user.name"), approved.approver());

        // the report-only kind: no modify, and approval needs a reason
        waitScreen(STEP_MILLIS, x -> x.matches("(?s).*> gitleaks-allow\\s+dev.*"));
        keys("m");
        waitScreen(STEP_MILLIS, x -> x.contains("modify is unavailable for gitleaks-allow"));
        keys("a");
        waitScreen(STEP_MILLIS, x -> x.contains("Reason (required for gitleaks-allow)"));
        keys("Enter");
        waitScreen(STEP_MILLIS, x -> x.contains("this approval needs a reason"));
        type("fixture key, revoked");
        keys("Enter");
        waitScreen(STEP_MILLIS, x -> x.contains("approved gitleaks-allow " + report.id()));
        assertEquals("fixture key, revoked", response(dev, report).notes());

        // modify with $EDITOR: a new proposal against the updated routes, edited by a script
        Proposal wide = queue(dev, Tool.ALLOW, PROPOSED + "  - host: upload.pypi.org\n", "uploads too", PROPOSED);
        waitScreen(STEP_MILLIS, x -> x.matches("(?s).*> allow\\s+dev\\s+\\d+s\\s+uploads too.*"));
        keys("m");
        s = waitScreen(STEP_MILLIS, x -> x.contains("modified allow " + wide.id()));
        String edited = LIVE + "  - host: files.pythonhosted.org\n  - host: upload.pypi.org\n";
        assertEquals(edited, Files.readString(dev.routesFile()));
        Response modified = response(dev, wide);
        assertEquals(Response.Status.MODIFIED, modified.status());
        assertEquals(edited, modified.finalFile());

        keys("q");
        waitScreen(STEP_MILLIS, x -> x.contains("TUI-EXIT=0"));

        // every decision is in the bottles' signed audit logs, as channel tui
        AuditKey key = AuditKey.loadPublic(home.resolve("keys"));
        assertTrue(dev.audit().verify(key).ok(), dev.audit().verify(key).message());
        assertTrue(web.audit().verify(key).ok());
        List<String> actions = new ArrayList<>();
        for (ObjectNode e : dev.audit().entries()) {
            assertEquals("tui", e.get("channel").asText());
            actions.add(e.get("tool").asText() + ":" + e.get("action").asText());
        }
        assertEquals(List.of("allow:approved", "gitleaks-allow:approved", "allow:modified"), actions);
        assertEquals("rejected", web.audit().entries().get(0).get("action").asText());
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void runsInsideTheInteractiveShellOnTheShellsTerminal() throws Exception {
        DistFixture.skipUnless(tmuxAvailable(), "tmux is not installed (apt-get install tmux)");
        dist = DistFixture.create(tmp);
        Path home = tmp.resolve("home");
        BottleState dev = new Fixtures(home).bottle("dev", LIVE);
        Proposal p = queue(dev, Tool.ALLOW, PROPOSED, "pip install needs pypi", LIVE);
        String cmd = "env BOT_BOTTLE_HOME='" + home + "' BOT_BOTTLE_DIST='" + dist.dist + "' '" + dist.launcher
                + "' shell; echo SHELL-EXIT=$?; sleep 600";
        run(List.of("tmux", "-L", socket, "-f", "/dev/null", "new-session", "-d", "-s", session, "-x", "120", "-y",
                "30", cmd));
        started = true;
        waitScreen(START_MILLIS, x -> x.contains("g!"));
        // the prompt can come up before DS has registered every command: retry a few times
        for (int attempt = 1;; attempt++) {
            type("supervise");
            keys("Enter");
            String s = waitScreen(STEP_MILLIS, x -> x.contains("1 pending") || x.contains("Command not found"));
            if (s.contains("1 pending")) {
                break;
            }
            assertTrue(attempt < 10, s);
            run(List.of("tmux", "-L", socket, "clear-history", "-t", session));
            keys("C-l");
            waitScreen(STEP_MILLIS, x -> !x.contains("Command not found"));
            Thread.sleep(500);
        }
        waitScreen(STEP_MILLIS, x -> x.contains("pip install needs pypi"));
        keys("a");
        keys("Enter");
        waitScreen(STEP_MILLIS, x -> x.contains("approved allow " + p.id()));
        assertEquals("tui", response(dev, p).channel());
        keys("q");
        // back at the prompt, and the shell's terminal still works
        waitScreen(STEP_MILLIS, x -> x.contains("g! supervise"));
        type("version");
        keys("Enter");
        waitScreen(STEP_MILLIS, x -> x.contains("bot-bottle 0."));
    }

    /** Writes a proposal the way the MCP server does: the real queue format, atomically. */
    static Proposal queue(BottleState b, Tool tool, String payload, String justification, String current)
            throws IOException {
        Proposal p = Proposal.create(b.slug(), tool, payload, justification, current);
        b.queue().write(p);
        return p;
    }

    static Response response(BottleState b, Proposal p) {
        return assertInstanceOf(QueueDir.Answered.class, b.queue().readResponse(p.id())).response();
    }

    void keys(String... keys) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("tmux", "-L", socket, "send-keys", "-t", session));
        cmd.addAll(List.of(keys));
        run(cmd);
    }

    void type(String text) throws Exception {
        run(List.of("tmux", "-L", socket, "send-keys", "-t", session, "-l", text));
    }

    String screen() throws Exception {
        return run(List.of("tmux", "-L", socket, "capture-pane", "-p", "-t", session));
    }

    String waitScreen(long millis, Predicate<String> ok) throws Exception {
        long deadline = System.currentTimeMillis() + millis;
        String s = screen();
        while (!ok.test(s)) {
            if (System.currentTimeMillis() > deadline) {
                fail("screen did not show what was expected within " + millis + " ms:\n" + s);
            }
            Thread.sleep(100);
            s = screen();
        }
        return s;
    }

    static boolean tmuxAvailable() {
        try {
            return new ProcessBuilder("tmux", "-V").redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        if (!p.waitFor(15, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("timed out: " + cmd);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), cmd + ": " + out);
        return out;
    }
}
