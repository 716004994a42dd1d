package bot.bottle.agent.gemini;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import bot.bottle.kernel.Kernel;

/**
 * A provider arrives as one signed bundle: the real kernel over the assembled distribution gets this
 * module's jar, signed by a trusted key, in {@code contrib/}; the {@code bottle.provider.id=gemini}
 * service appears without a restart, {@code bot-bottle start <agent> --dry-run} plans with it (provider
 * source {@code service}, its image recipe) where it used the manifest's built-in defaults before, and
 * removing the jar takes the service away again.
 */
class GeminiContribIT {
    private static final String FILTER = "(bottle.provider.id=gemini)";
    private static final long WAIT = 20_000;

    @TempDir
    Path tmp;

    static Path dist() {
        Path p = Path.of(System.getProperty("bot.bottle.dist", "../../launcher/target/dist")).toAbsolutePath().normalize();
        Assumptions.assumeTrue(Files.isDirectory(p.resolve("bundle")),
                "no distribution at " + p + " (build the launcher module first)");
        return p;
    }

    private static boolean await(BooleanSupplier c) throws InterruptedException {
        long deadline = System.currentTimeMillis() + WAIT;
        while (System.currentTimeMillis() < deadline) {
            if (c.getAsBoolean()) {
                return true;
            }
            Thread.sleep(25);
        }
        return c.getAsBoolean();
    }

    private static ServiceReference<?> provider(Kernel k) {
        try {
            ServiceReference<?>[] refs = k.context().getAllServiceReferences(null, FILTER);
            return refs == null || refs.length == 0 ? null : refs[0];
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code bot-bottle start <agent> --dry-run --format=json} through the real launcher. */
    private JsonNode dryRun(Path home, String agent) throws Exception {
        Path launcher = Path.of(System.getProperty("bot.bottle.launcher", "../../launcher/bot-bottle")).toAbsolutePath();
        ProcessBuilder pb = new ProcessBuilder(List.of(launcher.toString(), "start", agent, "--dry-run", "--format=json"));
        pb.environment().put("BOT_BOTTLE_HOME", home.toString());
        pb.environment().put("BOT_BOTTLE_DIST", dist().toString());
        Path out = Files.createTempFile(tmp, "out", ".json");
        Path err = Files.createTempFile(tmp, "err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
        Process p = pb.start();
        p.getOutputStream().close();
        assertTrue(p.waitFor(90, TimeUnit.SECONDS), "launcher finished");
        assertEquals(0, p.exitValue(), Files.readString(err));
        return new ObjectMapper().readTree(Files.readString(out, StandardCharsets.UTF_8));
    }

    @Test
    void signedGeminiBundleHotLoadsAndStartUsesIt() throws Exception {
        Path dist = dist();
        Path jar = Path.of(System.getProperty("bot.bottle.gemini.bundle", "target/bot.bottle.agent.gemini-0.1.0-SNAPSHOT.jar"));
        assertTrue(Files.isRegularFile(jar), "the packaged bundle " + jar);
        Path home = Files.createDirectories(tmp.resolve("home"));
        Files.createDirectories(home.resolve("bottles"));
        Files.createDirectories(home.resolve("agents"));
        Files.writeString(home.resolve("bottles/gem.md"), "---\nagent_provider:\n  template: gemini\n"
                + "  auth_token: BOT_BOTTLE_GEMINI_API_KEY\n---\nA Gemini bottle.\n");
        Files.writeString(home.resolve("agents/gem.md"), "---\nbottle: gem\n---\nSummarise the repository.\n");

        JsonNode before = dryRun(home, "gem");
        assertEquals("builtin", before.get("provider").get("source").asText(), before.toString());

        try (Kernel kernel = new Kernel(home, dist, Map.of(), false).start(true)) {
            kernel.trust(kernel.keygen("gemini contrib itest", false));
            Path signed = tmp.resolve("signed.jar");
            kernel.sign(jar, signed);
            assertTrue(provider(kernel) == null, "no gemini provider service before the drop");

            Path contrib = Files.createDirectories(home.resolve("contrib"));
            Path part = contrib.resolve(".gemini.jar.part");
            Files.copy(signed, part, StandardCopyOption.REPLACE_EXISTING);
            Files.move(part, contrib.resolve("gemini.jar"), StandardCopyOption.ATOMIC_MOVE);
            assertTrue(await(() -> provider(kernel) != null), "provider service appears: " + kernel.contrib());
            ServiceReference<?> ref = provider(kernel);
            assertEquals("bot.bottle.agent.gemini", ref.getBundle().getSymbolicName());
            assertEquals("contrib:gemini.jar", ref.getBundle().getLocation(), "it came from contrib/, not the distribution");
            List<String> classes = new ArrayList<>(List.of((String[]) ref.getProperty("objectClass")));
            assertEquals(List.of("bot.bottle.api.agent.AgentProvider"), classes);

            JsonNode after = dryRun(home, "gem");
            assertEquals("gemini", after.get("provider").get("id").asText());
            assertEquals("service", after.get("provider").get("source").asText(), after.toString());
            assertTrue(after.get("image").get("recipe").asText().contains("@google/gemini-cli@"), after.get("image").toString());
            assertEquals("bot-bottle-placeholder", after.get("env").get("GEMINI_API_KEY").asText(), after.get("env").toString());
            assertTrue(after.toString().contains("gemini mcp add --scope user --transport http supervise"), after.toString());

            Files.delete(contrib.resolve("gemini.jar"));
            assertTrue(await(() -> provider(kernel) == null), "removing the jar removes the provider");
        }
    }
}
