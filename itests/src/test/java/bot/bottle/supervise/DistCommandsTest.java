package bot.bottle.supervise;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import bot.bottle.supervise.core.BottleState;
import bot.bottle.supervise.queue.Proposal;
import bot.bottle.supervise.queue.Tool;

/**
 * The supervise components as the kernel wires them (one-shot {@code bot-bottle} runs of the built
 * distribution): the commands find the queues under {@code BOT_BOTTLE_HOME}, the validator service of the
 * egress bundle is bound, and the terminal UI refuses to start without a terminal.
 */
class DistCommandsTest {

    static final String LIVE = "routes:\n  - host: api.github.com\n";

    @TempDir
    Path tmp;
    DistFixture dist;

    @AfterEach
    void close() throws Exception {
        if (dist != null) {
            dist.close();
        }
    }

    record Out(int exit, String stdout, String stderr) {
    }

    Out run(Path home, String... args) throws Exception {
        Process p = dist.command(home, List.of(args)).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        // outputs are a few lines: reading one stream after the other cannot fill a pipe
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(90, TimeUnit.SECONDS));
        return new Out(p.exitValue(), out, err);
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void listShowAndTheTerminalUiInARealKernel() throws Exception {
        dist = DistFixture.create(tmp);
        Path home = tmp.resolve("home");
        BottleState dev = new Fixtures(home).bottle("dev", LIVE);
        Proposal p = Proposal.create("dev", Tool.ALLOW, LIVE + "  - host: pypi.org\n", "pip needs pypi", LIVE);
        dev.queue().write(p);
        Files.writeString(dev.queue().dir().resolve("broken.proposal.json"), "{\"id\":");

        Out list = run(home, "supervise", "list");
        assertEquals(0, list.exit(), list.stderr());
        assertTrue(list.stdout().matches("(?s).*dev\\s+" + p.id() + "\\s+allow\\s+\\S+\\s+pending\\s+pip needs pypi.*"),
                list.stdout());
        assertTrue(list.stdout().contains("malformed: dev/broken.proposal.json"), list.stdout());

        // show runs the egress bundle's RoutesValidator service: "adds host" comes from its parse
        Out show = run(home, "supervise", "show", p.id().substring(0, 8));
        assertEquals(0, show.exit(), show.stderr());
        assertTrue(show.stdout().contains("+  - host: pypi.org"), show.stdout());
        assertTrue(show.stdout().contains("adds host pypi.org"), show.stdout());

        Out tui = run(home, "supervise");
        assertEquals(2, tui.exit(), tui.stdout() + tui.stderr());
        assertTrue(tui.stderr().contains("supervise needs a terminal"), tui.stderr());
        assertEquals(1, tui.stderr().strip().lines().count(), tui.stderr());
    }
}
