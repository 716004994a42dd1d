package bot.bottle.manifest.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every file in src/test/resources/malformed/ is refused with exactly the problems in its sidecar
 * {@code .expected} file (one per line). Prefix {@code agent-}: loaded as a home agent;
 * {@code repo-agent-}: as an agent of the current repository; anything else: as a home bottle.
 * Run with -Dmalformed.update=true to (re)write the sidecars, then review them.
 */
class MalformedFixturesTest {
    static final Path DIR = Path.of("src/test/resources/malformed").toAbsolutePath();

    static List<String> fixtures() throws IOException {
        try (Stream<Path> s = Files.list(DIR)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".md"))
                    .map(n -> n.substring(0, n.length() - 3)).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void thereAreAtLeastFortyFixtures() throws IOException {
        assertTrue(fixtures().size() >= 40, "only " + fixtures().size() + " fixtures");
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void refusedWithExactMessage(String name, @TempDir Path tmp) throws IOException {
        byte[] content = Files.readAllBytes(DIR.resolve(name + ".md"));
        TestHome h = new TestHome(tmp);
        Path target;
        if (name.startsWith("repo-agent-")) {
            target = h.repo.resolve(".bot-bottle/agents/" + name + ".md");
        } else if (name.startsWith("agent-")) {
            target = h.home.resolve("agents/" + name + ".md");
        } else {
            target = h.home.resolve("bottles/" + name + ".md");
        }
        Files.createDirectories(h.repo.resolve(".git"));
        Files.createDirectories(target.getParent());
        Files.write(target, content);
        Catalog c = h.catalog();
        ManifestFile f = Stream.concat(c.agents().stream(), c.bottles().stream())
                .filter(m -> m.name().equals(name)).findFirst().orElseThrow();

        ManifestException e = assertThrows(ManifestException.class, () -> c.check(f));
        String report = e.report();
        Path expected = DIR.resolve(name + ".expected");
        if (Boolean.getBoolean("malformed.update")) {
            Files.writeString(expected, report + "\n", StandardCharsets.UTF_8);
        }
        assertEquals(Files.readString(expected, StandardCharsets.UTF_8).strip(), report);
        // One-line summary for the kernel: the first problem, and how many more.
        assertEquals(e.problems().size() == 1 ? report : e.problems().get(0) + " (and "
                + (e.problems().size() - 1) + " more)", e.getMessage());
    }
}
