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
 * The built distribution ({@code launcher/target/dist}) with this module's freshly compiled classes in
 * place of its supervise bundle, so tests that run {@code launcher/bot-bottle} exercise the code under
 * test rather than whatever jar the last distribution build copied. Skips, with the reason, when the
 * distribution has not been built.
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

    /** Builds the overlay distribution in {@code tmp}, or skips the test with the reason. */
    static DistFixture create(Path tmp) throws IOException {
        Path module = Path.of("").toAbsolutePath();
        Path repo = module.getParent().getParent();
        Path real = repo.resolve("launcher/target/dist");
        Path classes = module.resolve("target/classes");
        skipUnless(Files.isExecutable(repo.resolve("launcher/bot-bottle")) && Files.isDirectory(real.resolve("bundle"))
                        && Files.isDirectory(real.resolve("lib")),
                "distribution not built at " + real + " (cd " + repo + " && mvn -q -pl launcher -am install -DskipTests)");
        skipUnless(Files.isRegularFile(classes.resolve("META-INF/MANIFEST.MF")),
                "no bundle manifest in " + classes + " (run through mvn, which runs bnd)");
        Path dist = tmp.resolve("dist");
        Files.createDirectories(dist.resolve("bundle"));
        Files.createSymbolicLink(dist.resolve("lib"), real.resolve("lib"));
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(real.resolve("bundle"), "*.jar")) {
            for (Path jar : ds) {
                if (!jar.getFileName().toString().startsWith("bot.bottle.supervise-")) {
                    Files.createSymbolicLink(dist.resolve("bundle").resolve(jar.getFileName()), jar);
                }
            }
        }
        jar(classes, dist.resolve("bundle/bot.bottle.supervise-test.jar"));
        return new DistFixture(repo, dist);
    }

    static void skipUnless(boolean ok, String reason) {
        if (!ok) {
            // JUnit reports the reason for a skipped test; print it too so a plain build log shows it
            System.err.println("SKIPPED: " + reason);
        }
        Assumptions.assumeTrue(ok, reason);
    }

    /** Removes the links into the real distribution, so the temp folder's cleanup has only files left. */
    @Override
    public void close() throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dist.resolve("bundle"))) {
            for (Path p : ds) {
                if (Files.isSymbolicLink(p)) {
                    Files.delete(p);
                }
            }
        }
        Files.deleteIfExists(dist.resolve("lib"));
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

    private static void jar(Path classes, Path out) throws IOException {
        Manifest mf;
        try (var in = Files.newInputStream(classes.resolve("META-INF/MANIFEST.MF"))) {
            mf = new Manifest(in);
        }
        try (OutputStream os = Files.newOutputStream(out); JarOutputStream jos = new JarOutputStream(os, mf);
                Stream<Path> files = Files.walk(classes)) {
            for (Path f : (Iterable<Path>) files.sorted()::iterator) {
                String name = classes.relativize(f).toString().replace('\\', '/');
                if (name.isEmpty() || name.equals("META-INF/MANIFEST.MF") || name.equals("META-INF")) {
                    continue;
                }
                if (Files.isDirectory(f)) {
                    jos.putNextEntry(new JarEntry(name + "/"));
                } else {
                    jos.putNextEntry(new JarEntry(name));
                    Files.copy(f, jos);
                }
                jos.closeEntry();
            }
        }
    }
}
