package bot.bottle.supervise;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;

/**
 * The built distribution ({@code launcher/target/dist}) for tests that run {@code launcher/bot-bottle}.
 * These tests live in {@code itests} because the reactor assembles the distribution after the bundle
 * modules and before this module. Skips, with the reason, when the distribution has not been built.
 */
final class DistFixture implements AutoCloseable {

    final Path repo;
    final Path launcher;
    final Path dist;

    private DistFixture(Path repo, Path dist) {
        this.repo = repo;
        this.launcher = repo.resolve("launcher/bot-bottle");
        this.dist = dist;
    }

    /** The assembled distribution of this build (itests run after the launcher module), or a skip. */
    static DistFixture create(Path tmp) throws IOException {
        Path repo = Path.of("").toAbsolutePath().getParent();
        Path real = repo.resolve("launcher/target/dist");
        skipUnless(Files.isExecutable(repo.resolve("launcher/bot-bottle")) && Files.isDirectory(real.resolve("bundle"))
                        && Files.isDirectory(real.resolve("lib")),
                "distribution not built at " + real + " (cd " + repo + " && mvn -q -pl launcher -am install -DskipTests)");
        return new DistFixture(repo, real);
    }

    static void skipUnless(boolean ok, String reason) {
        if (!ok) {
            // JUnit reports the reason for a skipped test; print it too so a plain build log shows it
            System.err.println("SKIPPED: " + reason);
        }
        Assumptions.assumeTrue(ok, reason);
    }

    @Override
    public void close() {
        // the real distribution belongs to the build
    }

    /** A process builder for {@code bot-bottle args...} with this distribution and {@code home}. */
    ProcessBuilder command(Path home, List<String> args) {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(launcher.toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("BOT_BOTTLE_HOME", home.toString());
        pb.environment().put("BOT_BOTTLE_DIST", dist.toString());
        return pb;
    }
}
