package bot.bottle.supervise.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import bot.bottle.supervise.audit.AuditLog;
import bot.bottle.supervise.queue.AtomicFiles;
import bot.bottle.supervise.queue.QueueDir;

/**
 * One bottle's state directory, {@code $BOT_BOTTLE_HOME/state/<slug>/}, as far as supervise uses it.
 *
 * <pre>
 * &lt;state&gt;/
 *   supervise/queue/        proposals, claims, responses; processed/ for archived pairs
 *   egress/routes.yaml      the live routes the egress proxy polls and reloads
 *   next/Dockerfile         an approved capability change, applied on the next resume (bot-bottle resume <slug>)
 *   Dockerfile              the recipe the bottle runs now (written by the backend), if any
 *   audit/audit.jsonl       the signed audit log; audit/audit.head.json names its last entry
 * </pre>
 */
public record BottleState(String slug, Path dir) {

    /** Routes and Dockerfiles are small; anything bigger is refused. */
    static final int MAX_FILE = 1 << 20;

    public static BottleState of(Path stateDir) {
        Path d = stateDir.toAbsolutePath().normalize();
        return new BottleState(d.getFileName().toString(), d);
    }

    public QueueDir queue() {
        return new QueueDir(dir.resolve("supervise").resolve("queue"));
    }

    public Path routesFile() {
        return dir.resolve("egress").resolve("routes.yaml");
    }

    public Path nextDockerfile() {
        return dir.resolve("next").resolve("Dockerfile");
    }

    public Path runningDockerfile() {
        return dir.resolve("Dockerfile");
    }

    public AuditLog audit() {
        return new AuditLog(dir);
    }

    /** The live routes file's text, "" when there is none yet. */
    public String currentRoutes() throws IOException {
        return readOrEmpty(routesFile());
    }

    /** The Dockerfile a capability change replaces: a pending next one, else the running one. */
    public String currentDockerfile() throws IOException {
        if (Files.exists(nextDockerfile())) {
            return readOrEmpty(nextDockerfile());
        }
        return readOrEmpty(runningDockerfile());
    }

    static String readOrEmpty(Path f) throws IOException {
        try {
            return AtomicFiles.readLimited(f, MAX_FILE);
        } catch (NoSuchFileException e) {
            return "";
        }
    }
}
