package bot.bottle.gitgate.gate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Set;
import java.util.TreeSet;

/**
 * The refs the agent created through the gate: the default force/delete policy lets the agent rewrite
 * those and nothing else. Stored next to the bare repository, one ref per line, replaced atomically.
 */
final class CreatedRefs {

    private final Path file;

    CreatedRefs(Path file) {
        this.file = file;
    }

    synchronized Set<String> read() throws IOException {
        try {
            Set<String> s = new TreeSet<>();
            for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!l.isBlank()) {
                    s.add(l.strip());
                }
            }
            return s;
        } catch (NoSuchFileException e) {
            return new TreeSet<>();
        }
    }

    synchronized void update(Set<String> added, Set<String> removed) throws IOException {
        if (added.isEmpty() && removed.isEmpty()) {
            return;
        }
        Set<String> s = read();
        s.addAll(added);
        s.removeAll(removed);
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(tmp, s.isEmpty() ? "" : String.join("\n", s) + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
