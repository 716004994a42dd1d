package bot.bottle.gitgate.gate;

import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One remote the bottle declares.
 *
 * @param name          the path the agent uses: {@code http://sidecar:9420/<name>}
 * @param upstream      an {@code ssh://} URL (or {@code user@host:path}), or a path to a bare repository
 * @param key           the deploy key (OpenSSH private key file) the gate authenticates with, or null for a path
 * @param knownHosts    the known_hosts file that pins the upstream's host key, or null for a path
 * @param defaultBranch the upstream's default branch ({@code main}), or "" to learn it from the upstream
 * @param force         the force-push/deletion policy for other branches
 */
public record RepoConfig(String name, String upstream, Path key, Path knownHosts, String defaultBranch,
        ForcePolicy force) {

    /** Repo names become URL path segments and directory names. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    /** Who may rewrite or delete a ref through the gate. */
    public enum ForcePolicy {
        /** Only branches and tags the agent created through this gate (the default). */
        AGENT_CREATED("agent-created"),
        /** Never. */
        NEVER("never");

        private final String wire;

        ForcePolicy(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }

        public static ForcePolicy of(String s) {
            for (ForcePolicy p : values()) {
                if (p.wire.equals(s)) {
                    return p;
                }
            }
            throw new IllegalArgumentException("force must be agent-created or never, not " + s);
        }
    }

    public RepoConfig {
        Objects.requireNonNull(upstream, "upstream");
        Objects.requireNonNull(force, "force");
        defaultBranch = defaultBranch == null ? "" : defaultBranch;
        if (!NAME.matcher(name).matches() || name.endsWith(".git") && name.length() == 4) {
            throw new IllegalArgumentException("repo name '" + name + "' must match " + NAME.pattern());
        }
        if (upstream.isBlank()) {
            throw new IllegalArgumentException("repo '" + name + "': upstream is empty");
        }
        if (isSsh(upstream) && (key == null || knownHosts == null)) {
            throw new IllegalArgumentException("repo '" + name + "': an ssh upstream needs a key and a known_hosts file");
        }
    }

    /** Whether the upstream is reached over SSH (anything else must be a local path). */
    public static boolean isSsh(String upstream) {
        return upstream.startsWith("ssh://") || upstream.matches("^[A-Za-z0-9._-]+@[^/:]+:.*");
    }

    public boolean ssh() {
        return isSsh(upstream);
    }
}
