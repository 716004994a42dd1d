package bot.bottle.backend.docker.core;

import java.util.List;
import java.util.Map;

/**
 * What one container is created with; computed by {@link Topology} without touching Docker, so the
 * security-relevant settings are unit-testable.
 *
 * @param name       container name
 * @param image      image reference
 * @param env        {@code NAME=value} entries (travel in the create request body, never in argv)
 * @param cmd        the command (empty: the image's default)
 * @param labels     labels ({@link Names})
 * @param binds      {@code host:container[:ro]} bind mounts
 * @param network    the network the container is created on
 * @param aliases    its aliases on that network
 * @param extraHosts {@code name:ip} entries for {@code /etc/hosts}
 * @param dns        DNS servers handed to the engine's resolver (an unusable one cuts external names)
 * @param runtime    the OCI runtime, "" for the engine's default
 * @param tty        whether it gets a terminal and open stdin (the agent does)
 * @param capDrop    capabilities removed
 * @param hostname   the container's host name
 * @param user       {@code uid:gid} to run as, "" for the image's user
 */
public record ContainerSpec(String name, String image, List<String> env, List<String> cmd,
        Map<String, String> labels, List<String> binds, String network, List<String> aliases,
        List<String> extraHosts, List<String> dns, String runtime, boolean tty, List<String> capDrop,
        String hostname, String user) {
    public ContainerSpec {
        env = List.copyOf(env);
        cmd = List.copyOf(cmd);
        labels = Map.copyOf(labels);
        binds = List.copyOf(binds);
        aliases = List.copyOf(aliases);
        extraHosts = List.copyOf(extraHosts);
        dns = List.copyOf(dns);
        capDrop = List.copyOf(capDrop);
    }

    /** The value of one environment variable, or null. */
    public String envValue(String name) {
        String prefix = name + "=";
        return env.stream().filter(e -> e.startsWith(prefix)).map(e -> e.substring(prefix.length()))
                .findFirst().orElse(null);
    }
}
