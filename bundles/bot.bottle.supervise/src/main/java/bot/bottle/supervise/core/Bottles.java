package bot.bottle.supervise.core;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;

import bot.bottle.supervise.queue.Proposal;

/** Where the bottles' state directories are: all of {@code <home>/state/*}, or one given directory. */
public final class Bottles {

    private Bottles() {
    }

    /** Every bottle under {@code <home>/state}, re-listed on each call so new bottles show up. */
    public static Supplier<List<BottleState>> underHome(Path home) {
        Path root = home.resolve("state");
        return () -> {
            List<BottleState> out = new ArrayList<>();
            if (!Files.isDirectory(root)) {
                return out;
            }
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
                for (Path d : ds) {
                    if (Files.isDirectory(d) && Proposal.SLUG.matcher(d.getFileName().toString()).matches()) {
                        out.add(BottleState.of(d));
                    }
                }
            } catch (IOException e) {
                // an unreadable state root lists no bottles; commands then say "no pending proposals"
            }
            out.sort(Comparator.comparing(BottleState::slug));
            return out;
        };
    }

    /** Just the one state directory ({@code --state DIR}). */
    public static Supplier<List<BottleState>> single(Path stateDir) {
        BottleState s = BottleState.of(stateDir);
        return () -> List.of(s);
    }

    /**
     * The bot-bottle home: framework property {@code bot.bottle.home}, then the environment variable
     * {@code BOT_BOTTLE_HOME}, then the system property, then {@code ~/.bot-bottle}.
     */
    public static Path home(String frameworkProperty) {
        String v = frameworkProperty;
        if (v == null || v.isBlank()) {
            v = System.getenv("BOT_BOTTLE_HOME");
        }
        if (v == null || v.isBlank()) {
            v = System.getProperty("bot.bottle.home");
        }
        if (v == null || v.isBlank()) {
            v = System.getProperty("user.home") + "/.bot-bottle";
        }
        return Path.of(v).toAbsolutePath().normalize();
    }
}
