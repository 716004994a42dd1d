package bot.bottle.itests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.BooleanSupplier;

import bot.bottle.kernel.Kernel;

/** Where the assembled distribution and the example contrib bundle are, and small waiting helpers. */
final class Dist {
    private Dist() {
    }

    static Path dir() {
        Path p = Path.of(System.getProperty("bot.bottle.dist", "../launcher/target/dist")).toAbsolutePath().normalize();
        if (!Files.isDirectory(p.resolve("bundle"))) {
            throw new IllegalStateException("no distribution at " + p + "; build the launcher module first");
        }
        return p;
    }

    static Path launcher() {
        return Path.of(System.getProperty("bot.bottle.launcher", "../launcher/bot-bottle")).toAbsolutePath().normalize();
    }

    static Path exampleBundle() {
        Path p = Path.of(System.getProperty("bot.bottle.example.bundle")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("no example contrib bundle at " + p);
        }
        return p;
    }

    /** A kernel over the real distribution with a fresh home. */
    static Kernel kernel(Path home) throws Exception {
        Files.createDirectories(home);
        return new Kernel(home, dir(), Map.of(), false).start(true);
    }

    static boolean await(BooleanSupplier condition, long millis) throws InterruptedException {
        return BottleRuns.await(condition, millis);
    }

    static void copyIn(Path jar, Path contrib, String name) throws IOException {
        Files.createDirectories(contrib);
        Path tmp = contrib.resolve("." + name + ".part");
        Files.copy(jar, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        // Rename into place as a user's `cp` + `mv` would; the watcher must cope with either.
        Files.move(tmp, contrib.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
