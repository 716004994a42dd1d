package bot.bottle.manifest.core;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutates valid manifests at random and loads each one all the way to a plan: the only outcomes
 * allowed are a plan or a {@link ManifestException}; any other exception, or a hang, fails. Bounded:
 * a fixed seed with 2,000 mutations, plus 3 seeds taken from the clock (printed, to reproduce).
 */
class FuzzTest {
    @TempDir
    Path tmp;

    private static final String[] TOKENS = {"---", "\n", ":", " ", "- ", "[", "]", "{", "}", "&a ", "*a", "!!str ",
        "!foo ", "\"", "'", "#", "~", "null", "true", "yes", "off", "1e9", "0x1", "host", "routes", "egress",
        "matches", "paths", "type", "regex", "value", "(", "[a-", "\\", "extends", "dev", "base", "<<", "\t",
        "\u0000", "\uFFFF", "\uD800", "role", "auth", "token_ref", "supervise", "git", "fetch", "dlp", "false",
        "outbound_on_match", "log", "env", "skills", "agent_provider", "template", "claude", "?", "|", ">", "%"};

    @Test
    void fixedSeedTwoThousandMutations() throws IOException {
        run(20260101L, 2000);
    }

    @Test
    void randomSeeds() throws IOException {
        for (int i = 0; i < 3; i++) {
            long seed = System.nanoTime() + i;
            System.out.println("FuzzTest seed " + seed);
            run(seed, 300);
        }
    }

    private void run(long seed, int iterations) throws IOException {
        TestHome h = ExamplesTest.exampleHome(tmp.resolve("s" + seed));
        List<Path> files;
        try (Stream<Path> s = Stream.concat(Files.list(h.home.resolve("bottles")), Files.list(h.home.resolve("agents")))) {
            files = s.sorted().collect(Collectors.toList());
        }
        List<byte[]> originals = new ArrayList<>();
        for (Path f : files) {
            originals.add(Files.readAllBytes(f));
        }
        List<String> agents = List.of("dev", "gitea-maintainer", "codex-reader", "gemini");
        Random rnd = new Random(seed);
        int plans = 0;
        int refused = 0;
        for (int i = 0; i < iterations; i++) {
            int which = rnd.nextInt(files.size());
            byte[] mutated = mutate(new String(originals.get(which), StandardCharsets.UTF_8), rnd);
            Files.write(files.get(which), mutated);
            String agent = agents.get(rnd.nextInt(agents.size()));
            final int iteration = i;
            Boolean ok = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
                try {
                    h.builder().plan(agent, "fuzz");
                    return true;
                } catch (ManifestException e) {
                    for (Problem p : e.problems()) {
                        assertTrue(!p.file().isEmpty() && p.toString().indexOf('\n') < 0, p.toString());
                    }
                    return false;
                } catch (Throwable t) {
                    fail("seed " + seed + " iteration " + iteration + " file " + files.get(which).getFileName()
                            + ": " + t + "\n--- input ---\n" + new String(mutated, StandardCharsets.UTF_8), t);
                    return false;
                }
            }, () -> "seed " + seed + " iteration " + iteration + " hung on " + files.get(which).getFileName());
            if (ok) {
                plans++;
            } else {
                refused++;
            }
            Files.write(files.get(which), originals.get(which));
        }
        // both outcomes must actually occur, or the mutator is not exercising the parser
        assertTrue(plans > 0 && refused > 0, "plans " + plans + ", refused " + refused);
    }

    static byte[] mutate(String s, Random rnd) {
        StringBuilder b = new StringBuilder(s);
        int n = 1 + rnd.nextInt(4);
        for (int k = 0; k < n; k++) {
            int at = b.length() == 0 ? 0 : rnd.nextInt(b.length());
            switch (rnd.nextInt(6)) {
                case 0 -> b.insert(at, TOKENS[rnd.nextInt(TOKENS.length)]);
                case 1 -> {
                    int len = Math.min(b.length() - at, 1 + rnd.nextInt(8));
                    b.delete(at, at + len);
                }
                case 2 -> b.setCharAt(Math.min(at, Math.max(0, b.length() - 1)), (char) (32 + rnd.nextInt(95)));
                case 3 -> {
                    // duplicate a line: duplicate keys, repeated routes
                    int start = b.lastIndexOf("\n", at) + 1;
                    int end = b.indexOf("\n", at);
                    if (end > start) {
                        b.insert(end, "\n" + b.substring(start, end));
                    }
                }
                case 4 -> b.insert(at, " ".repeat(1 + rnd.nextInt(4)));
                default -> {
                    // swap a word for a schema word
                    int end = at;
                    while (end < b.length() && Character.isLetterOrDigit(b.charAt(end))) {
                        end++;
                    }
                    b.replace(at, end, TOKENS[rnd.nextInt(TOKENS.length)]);
                }
            }
        }
        byte[] bytes = b.toString().getBytes(StandardCharsets.UTF_8);
        if (rnd.nextInt(50) == 0 && bytes.length > 0) {
            bytes[rnd.nextInt(bytes.length)] = (byte) (0x80 + rnd.nextInt(0x80)); // invalid UTF-8
        }
        return bytes;
    }
}
