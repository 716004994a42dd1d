package bot.bottle.manifest.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import bot.bottle.api.plan.BottlePlan;

/**
 * Loads every agent in examples/ (copied into a temp home) and compares its dry-run plan with the
 * checked-in examples/expected/<agent>.plan.json. Run with -Dexamples.update=true to rewrite the
 * expected files after an intended change, then review the diff.
 */
public class ExamplesTest {
    static final Path EXAMPLES = Path.of("../../examples").toAbsolutePath().normalize();

    static List<String> agents() throws IOException {
        try (Stream<Path> s = Files.list(EXAMPLES.resolve("agents"))) {
            return s.map(p -> p.getFileName().toString().replaceFirst("\\.md$", "")).sorted()
                    .collect(Collectors.toList());
        }
    }

    /** Copies examples/{bottles,agents,skills} into a fresh home. */
    static TestHome exampleHome(Path tmp) throws IOException {
        TestHome h = new TestHome(tmp);
        for (String dir : List.of("bottles", "agents", "skills")) {
            Path from = EXAMPLES.resolve(dir);
            try (Stream<Path> walk = Files.walk(from)) {
                for (Path p : walk.collect(Collectors.toList())) {
                    Path to = h.home.resolve(dir).resolve(from.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(to);
                    } else {
                        Files.copy(p, to);
                    }
                }
            }
        }
        standInKeys(h.home);
        return h;
    }

    /**
     * The gitea example names the gate's deploy key and the pinned host key, which a user creates in the
     * home's keys/; stand-ins here (a plan only checks they exist).
     */
    public static void standInKeys(Path home) throws IOException {
        Path keys = Files.createDirectories(home.resolve("keys"));
        Files.writeString(keys.resolve("website-deploy"), "stand-in for the deploy key\n");
        Files.writeString(keys.resolve("gitea.known_hosts"), "gitea.example.com ssh-ed25519 AAAAstand-in\n");
    }

    static String normalised(BottlePlan plan, TestHome h) {
        return PlanJson.write(plan).replace(h.home.toString(), "$BOT_BOTTLE_HOME");
    }

    @ParameterizedTest
    @MethodSource("agents")
    void dryRunPlanMatchesExpectedJson(String agent, @TempDir Path tmp) throws IOException {
        TestHome h = exampleHome(tmp);
        BottlePlan plan = h.builder().plan(agent, agent + "-example");
        String json = normalised(plan, h);
        Path expected = EXAMPLES.resolve("expected").resolve(agent + ".plan.json");
        if (Boolean.getBoolean("examples.update")) {
            Files.writeString(expected, json, StandardCharsets.UTF_8);
        }
        assertTrue(Files.exists(expected), "missing " + expected);
        assertEquals(Files.readString(expected, StandardCharsets.UTF_8), json);
        // The canary is a pair of variable names; its value is made by the launcher, never planned.
        assertEquals("BOT_BOTTLE_CANARY", plan.canary().agentEnv());
        assertFalse(json.contains("\"canary\" : \""));
    }

    @ParameterizedTest
    @MethodSource("agents")
    void everyExampleBottleAndAgentParses(String agent, @TempDir Path tmp) throws IOException {
        TestHome h = exampleHome(tmp);
        Catalog c = h.catalog();
        for (ManifestFile f : c.bottles()) {
            c.check(f);
        }
        for (ManifestFile f : c.agents()) {
            c.check(f);
        }
        assertEquals(4, c.bottles().size());
    }
}
