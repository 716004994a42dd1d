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
    Path home;

    record Result(int status, String out, String err) {
    }

    Result run(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Dist.launcher().toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("BOT_BOTTLE_HOME", home.toString());
        pb.environment().remove("BOT_BOTTLE_DIST");
        Path out = Files.createTempFile(home.getParent(), "out", ".txt");
        Path err = Files.createTempFile(home.getParent(), "err", ".txt");
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

        Path jar = home.getParent().resolve("example.jar");
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
}
