package bot.bottle.kernel;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/** The kernel's log: one line per event on stderr and appended to {@code $BOT_BOTTLE_HOME/logs/kernel.log}. */
final class Log {
    private final Path file;
    private final boolean toStderr;

    Log(Path home, boolean toStderr) {
        this.file = home.resolve("logs").resolve("kernel.log");
        this.toStderr = toStderr;
    }

    synchronized void info(String msg) {
        write("info", msg, false);
    }

    synchronized void warn(String msg) {
        write("warn", msg, true);
    }

    private void write(String level, String msg, boolean important) {
        String line = "bot-bottle: " + msg;
        if (toStderr && important) {
            System.err.println(line);
        }
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, Instant.now() + " " + level + " " + msg + System.lineSeparator(),
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            // The log is best effort; the stderr line above already told the user.
        }
    }
}
