package bot.bottle.backend.docker.core;

import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import bot.bottle.api.plan.BottlePlan;
import bot.bottle.api.plan.GitRepo;

/**
 * The git gate's configuration file ({@code gitgate/config.json} in the state directory): the
 * repositories it serves on port {@value Layout#GITGATE_PORT}, their upstreams, and where the sidecar
 * finds each upstream's SSH key and known_hosts (bind-mounted read-only into the sidecar only).
 */
public final class GitGateConfig {
    static final String KEYS = Layout.SIDECAR_HOME + "/gitgate-keys";

    private GitGateConfig() {
    }

    public static String keyPath(GitRepo repo) {
        return KEYS + "/" + repo.name() + "/id";
    }

    public static String knownHostsPath(GitRepo repo) {
        return KEYS + "/" + repo.name() + "/known_hosts";
    }

    /**
     * The gate's own schema (bundles/bot.bottle.gitgate ConfigLoader): {@code state} (the bottle's state
     * directory as the sidecar sees it), {@code bottle}, {@code supervise.queue} ({@code false} when
     * supervise is off: suppressions are then refused), and {@code repos} keyed by name with
     * {@code upstream}, {@code key}, {@code known_hosts}.
     */
    public static String render(BottlePlan plan) {
        String state = Layout.sidecarState(plan.slug());
        Map<String, Object> repos = new LinkedHashMap<>();
        for (GitRepo r : plan.gitRepos()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("upstream", r.upstream());
            if (!r.sshKey().isEmpty()) {
                m.put("key", keyPath(r));
            }
            if (!r.knownHosts().isEmpty()) {
                m.put("known_hosts", knownHostsPath(r));
            }
            repos.put(r.name(), m);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("listen", "0.0.0.0:" + Layout.GITGATE_PORT);
        root.put("state", state);
        root.put("bottle", plan.slug());
        root.put("supervise", Map.of("queue", plan.supervise() ? state + "/supervise/queue" : false));
        root.put("repos", repos);
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("git gate config serialisation failed", e);
        }
    }
}
