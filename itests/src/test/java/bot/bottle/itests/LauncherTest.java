package bot.bottle.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Runs the real {@code bot-bottle} script as a user would. */
class LauncherTest {
    @TempDir
    Path tmp;
    Path home;

    @org.junit.jupiter.api.BeforeEach
    void makeHome() throws IOException {
        home = Files.createDirectories(tmp.resolve("home"));
    }

    record Result(int status, String out, String err) {
    }

    Result run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Dist.launcher().toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("BOT_BOTTLE_HOME", home.toString());
        pb.environment().remove("BOT_BOTTLE_DIST");
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Path err = Files.createTempFile(tmp, "err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
        Process p = pb.start();
        p.getOutputStream().close();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "launcher finished");
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void helpListsEveryCommandWithADescription() throws Exception {
        Result r = run("help");
        assertEquals(0, r.status(), r.err());
        for (String c : List.of("doctor", "help", "version", "contrib keygen", "contrib sign", "contrib trust",
                "contrib list")) {
            assertTrue(r.out().lines().anyMatch(l -> l.strip().startsWith(c + " ") && l.strip().length() > c.length() + 5),
                    "help lists '" + c + "' with a description:\n" + r.out());
        }
        Result json = run("help", "--format=json");
        assertEquals(0, json.status(), json.err());
        JsonNode arr = new ObjectMapper().readTree(json.out());
        assertTrue(arr.isArray() && arr.size() >= 7, json.out());
        for (JsonNode n : arr) {
            assertFalse(n.get("description").asText().isBlank(), "every command has a description: " + n);
        }
    }

    @Test
    void noArgumentsPrintsHelp() throws Exception {
        Result r = run();
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("usage: bot-bottle"), r.out());
    }

    @Test
    void unknownCommandExitsTwoWithOneLine() throws Exception {
        Result r = run("frobnicate", "x");
        assertEquals(2, r.status());
        assertEquals("bot-bottle: unknown command 'frobnicate x' (run 'bot-bottle help' for the list)", r.err().strip());
    }

    @Test
    void failingCommandExitsNonZeroWithAClearLine() throws Exception {
        Result r = run("contrib", "sign", "/nonexistent/plugin.jar");
        assertEquals(1, r.status());
        assertEquals("bot-bottle: no such jar: /nonexistent/plugin.jar", r.err().strip());
        Result bad = run("help", "--format=yaml");
        assertEquals(2, bad.status());
        assertTrue(bad.err().contains("--format: expected text|json, got \"yaml\""), bad.err());
    }

    @Test
    void doctorReportsEveryCheckAndItsExitStatusMatches() throws Exception {
        Result r = run("doctor", "--format=json");
        JsonNode doc = new ObjectMapper().readTree(r.out().substring(r.out().indexOf('{')));
        boolean ok = doc.get("ok").asBoolean();
        assertEquals(ok ? 0 : 1, r.status(), r.out() + r.err());
        List<String> names = new ArrayList<>();
        doc.get("checks").forEach(c -> names.add(c.get("name").asText()));
        assertTrue(names.containsAll(List.of("java", "home", "trust", "docker", "bundles")), names.toString());
        doc.get("checks").forEach(c -> {
            if (c.get("level").asText().equals("fail")) {
                assertTrue(c.get("detail").asText().length() > 20, "a failure says how to fix it: " + c);
            }
        });
        assertTrue(r.out().contains("\"level\" : \"ok\""), r.out());
    }

    @Test
    void dryRunPrintsThePlanOfAnExampleAndCreatesNothing() throws Exception {
        Path examples = Path.of(System.getProperty("bot.bottle.examples", "../examples")).toAbsolutePath().normalize();
        for (String kind : List.of("bottles", "agents")) {
            Files.createDirectories(home.resolve(kind));
            try (var files = Files.list(examples.resolve(kind))) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    Files.copy(f, home.resolve(kind).resolve(f.getFileName()));
                }
            }
        }
        Result r = run("start", "dev", "--dry-run", "--format=json");
        assertEquals(0, r.status(), r.err());
        JsonNode plan = new ObjectMapper().readTree(r.out());
        assertEquals("dev", plan.get("agent").asText());
        assertEquals("claude", plan.get("provider").get("id").asText());
        assertTrue(plan.get("egress").get("routes").size() >= 1, r.out());
        assertFalse(r.out().contains("sk-ant-"), "no token values in a plan");
        assertFalse(Files.exists(home.resolve("state")), "a dry run creates nothing");

        Files.writeString(home.resolve("bottles/broken.md"), "---\nagent_provider:\n  template: claude\nrole: admin\n---\n");
        Files.writeString(home.resolve("agents/broken.md"), "---\nbottle: broken\n---\n");
        Result bad = run("start", "broken", "--dry-run");
        assertEquals(2, bad.status(), bad.out() + bad.err());
        assertTrue(bad.err().contains("bottles/broken.md:4: role:"), bad.err());
    }

    @Test
    void doctorNamesAnUnresolvedDistributionBundleAndItsMissingRequirement() throws Exception {
        // A copy of the distribution with one bundle whose import nothing provides.
        Path dist = Files.createDirectories(tmp.resolve("dist"));
        Files.createSymbolicLink(dist.resolve("lib"), Dist.dir().resolve("lib"));
        Path bundles = Files.createDirectories(dist.resolve("bundle"));
        try (var jars = Files.list(Dist.dir().resolve("bundle"))) {
            for (Path j : (Iterable<Path>) jars::iterator) {
                Files.createSymbolicLink(bundles.resolve(j.getFileName()), j);
            }
        }
        Jars.withManifest(Dist.exampleBundle(), bundles.resolve("zz-needy.jar"), java.util.Map.of(
                "Bundle-SymbolicName", "bot.bottle.test.needy",
                "Import-Package", "com.example.nowhere;version=\"[1.0,2)\""));
        ProcessBuilder pb = new ProcessBuilder(Dist.launcher().toString(), "doctor");
        pb.environment().put("BOT_BOTTLE_HOME", home.toString());
        pb.environment().put("BOT_BOTTLE_DIST", dist.toString());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue(), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("fail: bundle bot.bottle.test.needy: unresolvable: missing requirement")
                && l.contains("com.example.nowhere")), out);
    }

    @Test
    void contribToolsRoundTripThroughTheLauncher() throws Exception {
        Result k = run("contrib", "keygen", "launcher test");
        assertEquals(0, k.status(), k.err());
        Path cert = home.resolve("keys/contrib.crt");
        assertTrue(Files.exists(cert));
        Result again = run("contrib", "keygen", "launcher test");
        assertEquals(1, again.status(), "keygen refuses to overwrite");
        assertTrue(again.err().contains("--force"), again.err());
        Result t = run("contrib", "trust", cert.toString());
        assertEquals(0, t.status(), t.err());
        Result trusted = run("contrib", "trusted");
        assertTrue(trusted.out().contains("CN=launcher test"), trusted.out());

        Path jar = tmp.resolve("example.jar");
        Files.copy(Dist.exampleBundle(), jar);
        assertEquals(0, run("contrib", "sign", jar.toString()).status());
        Files.createDirectories(home.resolve("contrib"));
        Files.copy(jar, home.resolve("contrib/good.jar"));
        Files.copy(Dist.exampleBundle(), home.resolve("contrib/unsigned.jar"));
        // Older than the settle time, as a jar that has been sitting in contrib/ would be.
        Thread.sleep(400);
        Result list = run("contrib", "list");
        assertEquals(0, list.status(), list.err());
        assertTrue(list.out().contains("good.jar  active  bot.bottle.contrib.customerid"), list.out());
        assertTrue(list.out().contains("unsigned.jar  refused  unsigned jar"), list.out());
        assertTrue(list.err().contains("bot-bottle: contrib: refused unsigned.jar: unsigned jar"), list.err());
    }

    @Test
    void interactiveShellRunsCommandsInARealTerminal() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(new ProcessBuilder("sh", "-c", "command -v tmux").start().waitFor() == 0,
                "tmux is not installed (.ci/setup installs it)");
        String session = "bb-shell-" + ProcessHandle.current().pid();
        Path done = tmp.resolve("shell-exit.txt");
        String cmd = "BOT_BOTTLE_HOME=" + home + " " + Dist.launcher() + " shell; echo $? > " + done;
        tmux("new-session", "-d", "-s", session, "-x", "160", "-y", "40", cmd);
        try {
            assertTrue(Dist.await(() -> capture(session).contains("g!"), 30_000), "prompt appears: " + capture(session));
            tmux("send-keys", "-t", session, "bottle:version", "Enter");
            assertTrue(Dist.await(() -> capture(session).contains("bot-bottle 0."), 10_000), capture(session));
            tmux("send-keys", "-t", session, "C-d");
            assertTrue(Dist.await(() -> Files.exists(done), 15_000), "Ctrl-D leaves the shell");
            assertEquals("0", Files.readString(done).strip());
        } finally {
            tmux("kill-session", "-t", session);
        }
    }

    private static void tmux(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("tmux"));
        cmd.addAll(List.of(args));
        new ProcessBuilder(cmd).redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
    }

    private static String capture(String session) {
        try {
            Process p = new ProcessBuilder("tmux", "capture-pane", "-p", "-t", session).redirectErrorStream(true).start();
            String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
            return s;
        } catch (IOException | InterruptedException e) {
            return "";
        }
    }
}
