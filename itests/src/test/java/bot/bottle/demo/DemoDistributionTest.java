package bot.bottle.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs {@code launcher/bot-bottle demo} of a built distribution against the real Docker engine and
 * asserts its summary. Needs only the launcher: {@code -Dbot.bottle.launcher=PATH}, else the checkout's
 * {@code launcher/bot-bottle} with {@code launcher/target/dist}. Skips, saying why, without a built
 * distribution or without a reachable engine.
 */
class DemoDistributionTest {

    private static Path launcher() {
        String p = System.getProperty("bot.bottle.launcher");
        if (p != null && !p.isBlank()) {
            return Path.of(p);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path l = dir.resolve("launcher").resolve("bot-bottle");
            if (Files.isExecutable(l) && Files.isDirectory(dir.resolve("launcher/target/dist/lib"))) {
                return l;
            }
        }
        return null;
    }

    private static boolean engineReachable() throws Exception {
        try {
            Process p = new ProcessBuilder("docker", "info", "--format", "{{.ServerVersion}}")
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Test
    void everyGuardHoldsAndTheBottleIsGone(@TempDir Path home) throws Exception {
        Path launcher = launcher();
        assumeTrue(launcher != null, "no built distribution (launcher/bot-bottle with launcher/target/dist);"
                + " build it with mvn -q -pl launcher install -DskipTests, or set -Dbot.bottle.launcher");
        assumeTrue(engineReachable(), "no reachable Docker engine ('docker info' failed)");

        Path log = home.resolve("demo.out");
        ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "demo").redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("BOT_BOTTLE_HOME", home.toString());
        Process p = pb.start();
        boolean finished = p.waitFor(10, TimeUnit.MINUTES);
        if (!finished) {
            p.destroy();
            p.waitFor(60, TimeUnit.SECONDS);
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        assertTrue(finished, "the demo did not finish within 10 minutes:\n" + out);
        assertEquals(0, p.exitValue(), out);

        for (String id : new String[] {"a", "b", "c", "d", "e", "f", "g", "h", "i"}) {
            Matcher row = Pattern.compile("(?m)^\\(" + id + "\\) .*  (PASS|FAIL|SKIP)$").matcher(out);
            assertTrue(row.find(), "no summary row for (" + id + "):\n" + out);
            assertEquals("PASS", row.group(1), "guard (" + id + "):\n" + out);
        }
        assertTrue(out.contains("9 of 9 guards held"), out);
        assertFalse(out.contains("FAIL"), out);
        // the planted secret is never printed whole
        assertFalse(Pattern.compile("ghp_[0-9A-Za-z]{36}").matcher(out).find(), out);

        Matcher slug = Pattern.compile("starting bottle (demo-[0-9a-f]{6})").matcher(out);
        assertTrue(slug.find(), out);
        Process ps = new ProcessBuilder("docker", "ps", "-a", "-q", "--filter", "label=bot-bottle.slug=" + slug.group(1))
                .redirectErrorStream(true).start();
        String left = new String(ps.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(ps.waitFor(30, TimeUnit.SECONDS));
        assertEquals("", left, "containers of " + slug.group(1) + " left behind");
        assertFalse(Files.exists(home.resolve("state").resolve(slug.group(1))), "state directory left behind");
        assertTrue(new File(home.toFile(), "state").list() == null || new File(home.toFile(), "state").list().length == 0);
    }
}
