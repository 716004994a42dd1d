package bot.bottle.supervise.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Lets the operator edit a payload before approving it ({@code supervise:modify}). */
@FunctionalInterface
public interface Editor {

    /** Returns the edited text. */
    String edit(String initial, String suffix) throws IOException;

    /**
     * Runs an editor command on a private temp file, attached to this process's terminal. The command
     * is run by {@code sh -c} with the file as {@code "$1"}, so {@code EDITOR="code --wait"} works.
     */
    static Editor command(String editorCommand) {
        return (initial, suffix) -> {
            Path dir = Files.createTempDirectory("bot-bottle-modify-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path file = dir.resolve("proposal" + suffix);
            try {
                Files.writeString(file, initial, StandardCharsets.UTF_8);
                Process p = new ProcessBuilder("sh", "-c", editorCommand + " \"$1\"", "sh", file.toString())
                        .inheritIO().start();
                int rc;
                try {
                    rc = p.waitFor();
                } catch (InterruptedException e) {
                    p.destroy();
                    Thread.currentThread().interrupt();
                    throw new IOException("editor interrupted");
                }
                if (rc != 0) {
                    throw new IOException("editor '" + editorCommand + "' exited with status " + rc);
                }
                return Files.readString(file, StandardCharsets.UTF_8);
            } finally {
                Files.deleteIfExists(file);
                Files.deleteIfExists(dir);
            }
        };
    }

    /** {@code $VISUAL}, then {@code $EDITOR}, then {@code vi}. */
    static Editor fromEnvironment() {
        String e = System.getenv("VISUAL");
        if (e == null || e.isBlank()) {
            e = System.getenv("EDITOR");
        }
        return command(e == null || e.isBlank() ? "vi" : e);
    }
}
