package bot.bottle.manifest.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import bot.bottle.api.backend.BottleBackend;
import bot.bottle.api.backend.BottleStatus;
import bot.bottle.api.backend.Preflight;
import bot.bottle.api.plan.BottlePlan;
import bot.bottle.manifest.core.ProviderCatalog;

class ManifestCommandsTest {
    @TempDir
    Path tmp;
    Path home;
    Path cwd;
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() throws IOException {
        home = tmp.resolve("home");
        cwd = Files.createDirectories(tmp.resolve("work"));
        Path examples = Path.of("../../examples").toAbsolutePath().normalize();
        for (String dir : List.of("bottles", "agents", "skills")) {
            try (Stream<Path> walk = Files.walk(examples.resolve(dir))) {
                for (Path p : walk.toList()) {
                    Path to = home.resolve(dir).resolve(examples.resolve(dir).relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(to);
                    } else {
                        Files.copy(p, to);
                    }
                }
            }
        }
        bot.bottle.manifest.core.ExamplesTest.standInKeys(home);
    }

    ManifestCommands commands() {
        return new ManifestCommands(home, cwd, ProviderCatalog.builtin(),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void dryRunJsonPrintsThePlanAndCreatesNothing() throws Exception {
        int status = commands().start("gitea-maintainer", true, "json", Map.of(), null);
        assertEquals(0, status);
        JsonNode plan = new ObjectMapper().readTree(out());
        assertEquals("claude-gitea", plan.get("bottle").asText());
        assertTrue(plan.get("slug").asText().matches("gitea-maintainer-[0-9a-f]{6}"));
        assertEquals("EGRESS_TOKEN_2", plan.get("token_slots").get(1).get("slot").asText());
        assertFalse(Files.exists(home.resolve("state")), "a dry run creates nothing");
    }

    @Test
    void withoutABackendStartFailsClearly() {
        CommandFailure f = assertThrows(CommandFailure.class, () -> commands().start("dev", false, "text", Map.of(), null));
        assertEquals(CommandFailure.NO_BACKEND, f.exitStatus());
        assertTrue(f.getMessage().startsWith("no backend bundle is installed"), f.getMessage());
        assertFalse(Files.exists(home.resolve("state")));
    }

    @Test
    void startWritesStateAndRunsTheBackend() throws Exception {
        List<BottlePlan> ran = new ArrayList<>();
        BottleBackend backend = new RecordingBackend(ran, 0);
        assertEquals(0, commands().start("dev", false, "text", Map.of("rec", backend), null));
        assertEquals(1, ran.size());
        Path state = home.resolve("state").resolve(ran.get(0).slug());
        assertTrue(Files.readString(state.resolve("egress/routes.yaml")).contains("host: api.anthropic.com"));
        assertEquals(ran.get(0).slug(), new ObjectMapper().readTree(state.resolve("plan.json").toFile()).get("slug").asText());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve("plan.json"))));
        CommandFailure f = assertThrows(CommandFailure.class,
                () -> commands().start("dev", false, "text", Map.of("rec", new RecordingBackend(ran, 7)), null));
        assertEquals(7, f.exitStatus());
        f = assertThrows(CommandFailure.class, () -> commands().start("dev", false, "text",
                Map.of("a", backend, "b", backend), null));
        assertEquals("several backends are installed (a, b); choose one with bot.bottle.backend", f.getMessage());
    }

    @Test
    void aRefusedManifestPrintsEveryProblemAndFailsWithOneLine() throws IOException {
        Files.writeString(home.resolve("bottles/claude.md"), "---\nsupervise: maybe\negress: {log: loud}\n---\n");
        CommandFailure f = assertThrows(CommandFailure.class, () -> commands().start("dev", true, "json", Map.of(), null));
        assertEquals(CommandFailure.MANIFEST, f.exitStatus());
        assertEquals("bottles/claude.md:2: supervise: expected true or false, got \"maybe\" (and 1 more)", f.getMessage());
        assertEquals("""
                bottles/claude.md:2: supervise: expected true or false, got "maybe"
                bottles/claude.md:3: egress.log: expected off|blocks|full, got "loud"
                """, err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void listShowsWhereEachCameFrom() throws Exception {
        Files.createDirectories(cwd.resolve(".git"));
        Files.createDirectories(cwd.resolve(".bot-bottle/agents"));
        Files.createDirectories(cwd.resolve(".bot-bottle/bottles"));
        Files.writeString(cwd.resolve(".bot-bottle/agents/fixer.md"), "---\nbottle: codex\n---\n");
        Files.writeString(cwd.resolve(".bot-bottle/agents/bad.md"), "---\nbottle: codex\negress: {}\n---\n");
        Files.writeString(cwd.resolve(".bot-bottle/bottles/evil.md"), "---\n---\n");
        commands().list("json");
        JsonNode l = new ObjectMapper().readTree(out());
        List<String> agents = new ArrayList<>();
        l.get("agents").forEach(a -> agents.add(a.get("name").asText() + "/" + a.get("source").asText() + "/" + a.get("ok").asBoolean()));
        assertEquals(List.of("codex-reader/home/true", "dev/home/true", "gemini/home/true", "gitea-maintainer/home/true",
                "bad/repo/false", "fixer/repo/true"), agents);
        assertEquals("claude", l.get("bottles").get(0).get("extends").size() == 0 ? l.get("bottles").get(0).get("provider").asText() : "");
        assertEquals("claude", l.get("bottles").get(1).get("extends").get(0).asText());
        assertEquals(cwd.resolve(".bot-bottle/bottles/evil.md").toString(), l.get("ignored_repository_bottles").get(0).asText());
        out.reset();
        commands().list("text");
        String text = out();
        assertTrue(text.contains("fixer                repo  .bot-bottle/agents/fixer.md      bottle codex"), text);
        assertTrue(text.contains("claude-gitea         home  bottles/claude-gitea.md          extends claude"), text);
        assertTrue(text.contains("INVALID: .bot-bottle/agents/bad.md:3: egress: refused"), text);
        assertTrue(text.contains("ignored: " + cwd.resolve(".bot-bottle/bottles/evil.md")), text);
    }

    @Test
    void infoShowsThePlanInText() {
        commands().info("gitea-maintainer", "text");
        String text = out();
        assertTrue(text.contains("bottle    claude-gitea  (bottles/claude-gitea.md <- bottles/claude.md)"), text);
        assertTrue(text.contains("  gitea.example.com  manifest, token from EGRESS_TOKEN_2, 2 match rule(s), git fetch, on match: block"), text);
        assertTrue(text.contains("token     $BOT_BOTTLE_GITEA_TOKEN -> sidecar EGRESS_TOKEN_2"), text);
        assertTrue(text.contains("  You maintain the team's Gitea-hosted website."), text);
    }

    @Test
    void initCreatesAValidAgentAndBottleFromStdin() throws Exception {
        String answers = String.join("\n", "helper", "", "gemini", "", "docs.example.com, api.example.com", "n",
                "Help with docs.") + "\n";
        commands().init(new BufferedReader(new StringReader(answers)));
        String bottle = Files.readString(home.resolve("bottles/helper.md"));
        assertTrue(bottle.contains("template: gemini\n  auth_token: BOT_BOTTLE_GEMINI_API_KEY\n"), bottle);
        assertTrue(bottle.contains("    - host: api.example.com\n"), bottle);
        assertEquals("---\nbottle: helper\n---\nHelp with docs.\n", Files.readString(home.resolve("agents/helper.md")));
        out.reset();
        commands().start("helper", true, "json", Map.of(), null);
        JsonNode plan = new ObjectMapper().readTree(out());
        assertFalse(plan.get("supervise").asBoolean());
        assertEquals("block", plan.get("egress").get("routes").get(1).get("outbound_on_match").asText());
    }

    @Test
    void initRepromptsOnABadAnswerAndStopsWhenInputEnds() {
        String answers = "bad name!\nok\n";
        CommandFailure f = assertThrows(CommandFailure.class,
                () -> commands().init(new BufferedReader(new StringReader(answers))));
        assertEquals("init: input ended before \"Bottle name\" was answered", f.getMessage());
        assertTrue(out().contains("use letters, digits"), out());
        assertThrows(CommandFailure.class, () -> commands().init(new BufferedReader(new StringReader("dev\n"))),
                "an existing agent is never overwritten");
    }

    @Test
    void editReplacesTheFileOnlyWhenTheEditIsValid() throws Exception {
        Path bottle = home.resolve("bottles/gemini.md");
        String before = Files.readString(bottle);
        // a real editor process: a script that writes the new content over the file it is given
        Path bad = script("bad-editor", "printf -- '---\\nsupervise: perhaps\\n---\\n' > \"$1\"");
        CommandFailure f = assertThrows(CommandFailure.class, () -> commands().edit("gemini", "bottle", bad.toString()));
        assertEquals(CommandFailure.MANIFEST, f.exitStatus());
        assertTrue(f.getMessage().startsWith("bottles/gemini.md kept unchanged: the edit has 1 problem(s); your edit is saved in "),
                f.getMessage());
        assertEquals(before, Files.readString(bottle));
        assertEquals("bottles/gemini.md:2: supervise: expected true or false, got \"perhaps\"\n", err.toString(StandardCharsets.UTF_8));

        Path good = script("good-editor", "sed -i 's/supervise: false/supervise: true/' \"$1\"");
        commands().edit("gemini", "bottle", good.toString());
        assertTrue(Files.readString(bottle).contains("supervise: true"));
        assertTrue(out().contains("saved bottles/gemini.md"), out());

        // "gemini" names an agent and a bottle: ambiguous without --kind
        f = assertThrows(CommandFailure.class, () -> commands().edit("gemini", "", good.toString()));
        assertEquals("\"gemini\" names agents/gemini.md and bottles/gemini.md; choose one with --kind agent|bottle",
                f.getMessage());
    }

    @Test
    void editOfABaseRevalidatesItsExtendsChainAndCycles() throws Exception {
        Path cyc = script("cycle-editor", "printf -- '---\\nextends: claude-gitea\\n---\\n' > \"$1\"");
        CommandFailure f = assertThrows(CommandFailure.class, () -> commands().edit("claude", "", cyc.toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("extends: cycle: claude -> claude-gitea -> claude"),
                err.toString(StandardCharsets.UTF_8));
        assertEquals(CommandFailure.MANIFEST, f.exitStatus());
    }

    private Path script(String name, String body) throws IOException {
        Path p = tmp.resolve(name);
        Files.writeString(p, "#!/bin/sh\nset -e\n" + body + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    /** Records the plans it is asked to run (a test double for the one class under test). */
    record RecordingBackend(List<BottlePlan> ran, int status) implements BottleBackend {
        @Override
        public String id() {
            return "rec";
        }

        @Override
        public Preflight preflight() {
            return new Preflight(List.of());
        }

        @Override
        public int run(BottlePlan plan) {
            ran.add(plan);
            return status;
        }

        @Override
        public List<BottleStatus> list() {
            return List.of();
        }

        @Override
        public int cleanup() {
            return 0;
        }
    }
}
