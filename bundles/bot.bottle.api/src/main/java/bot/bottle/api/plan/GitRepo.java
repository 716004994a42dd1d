package bot.bottle.api.plan;

import java.util.Objects;

/**
 * A repository the git gate serves to the agent and forwards pushes of, after scanning, to upstream.
 *
 * @param name       the repository's name at the gate ({@code http://sidecar:9420/<name>})
 * @param upstream   the upstream URL the gate pushes to and fetches from
 * @param sshKey     absolute host path of the gate's SSH key for the upstream, or ""; never mounted
 *                   into the agent
 * @param knownHosts absolute host path of a known_hosts file for the upstream, or ""
 */
public record GitRepo(String name, String upstream, String sshKey, String knownHosts) {
    public GitRepo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(upstream, "upstream");
        sshKey = Plans.orEmpty(sshKey);
        knownHosts = Plans.orEmpty(knownHosts);
    }
}
