package bot.bottle.manifest.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;

/** Files written to hurt the parser are refused quickly, with a ManifestException. */
class HostileYamlTest {
    private static final ManifestFile F = new ManifestFile(ManifestFile.Kind.BOTTLE, "x",
            Path.of("/nonexistent/bottles/x.md"), "bottles/x.md", ManifestFile.Source.HOME);
    private final ManifestParser parser = new ManifestParser(TestHome.PROVIDERS);

    private ManifestException refuse(String text) {
        return assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertThrows(ManifestException.class,
                () -> parser.parseBottle(F, text.getBytes(StandardCharsets.UTF_8))));
    }

    @Test
    void billionLaughsHitsTheAliasLimit() {
        StringBuilder b = new StringBuilder("---\nenv:\n  a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (int i = 1; i < 10; i++) {
            b.append("  a").append(i).append(": &a").append(i).append(" [");
            for (int j = 0; j < 9; j++) {
                b.append(j == 0 ? "" : ",").append("*a").append(i - 1);
            }
            b.append("]\n");
        }
        b.append("---\n");
        ManifestException e = refuse(b.toString());
        assertEquals("bottles/x.md: YAML: Number of aliases for non-scalar nodes exceeds the specified max=10",
                e.report());
    }

    @Test
    void aliasesBelowTheLimitStillCannotExpandWithoutBound() {
        // 10 aliases, each doubling: 2^10 copies of a 100-item list would be ~100k nodes
        StringBuilder b = new StringBuilder("---\nskills: &l0 [");
        for (int j = 0; j < 100; j++) {
            b.append(j == 0 ? "" : ",").append("s").append(j);
        }
        b.append("]\nenv:\n");
        for (int i = 1; i <= 5; i++) {
            b.append("  k").append(i).append(": &l").append(i).append(" [*l").append(i - 1).append(", *l")
                    .append(i - 1).append("]\n");
        }
        b.append("---\n");
        ManifestException e = refuse(b.toString());
        assertTrue(e.report().contains("env.k"), e.report());
        StringBuilder big = new StringBuilder("---\nskills: &l0 [");
        for (int j = 0; j < 2000; j++) {
            big.append(j == 0 ? "" : ",").append("s").append(j);
        }
        big.append("]\nenv:\n");
        for (int i = 1; i <= 5; i++) {
            big.append("  k").append(i).append(": &l").append(i).append(" [*l").append(i - 1).append(", *l")
                    .append(i - 1).append("]\n");
        }
        big.append("---\n");
        assertEquals("bottles/x.md: YAML expands to more than 20000 nodes (aliases?)", refuse(big.toString()).report());
    }

    @Test
    void recursiveAliasIsRefused() {
        assertEquals("bottles/x.md:2: recursive YAML alias", refuse("---\nskills: &a [*a]\n---\n").report());
    }

    @Test
    void deepNestingIsRefused() {
        ManifestException e = refuse("---\nenv: " + "[".repeat(5000) + "]".repeat(5000) + "\n---\n");
        assertEquals("bottles/x.md: YAML: Nesting Depth exceeded max 20", e.report());
    }

    @Test
    void oversizeFileIsRefusedBeforeParsing() {
        String text = "---\nenv:\n" + "  A: x\n".repeat(50_000) + "---\n";
        assertEquals("bottles/x.md: file is larger than 262144 bytes", refuse(text).report());
    }

    @Test
    void javaAndPythonTagsNeverConstructAnything() {
        assertEquals("bottles/x.md:2: unsupported YAML tag !!javax.script.ScriptEngineManager",
                refuse("---\nenv: !!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL [\"http://x/\"]]]]\n---\n").report());
    }

    @Test
    void multipleDocumentsInTheFrontmatterAreRefused() {
        ManifestException e = refuse("---\nsupervise: true\n...\nsupervise: false\n---\n");
        assertTrue(e.report().startsWith("bottles/x.md:"), e.report());
    }
}
