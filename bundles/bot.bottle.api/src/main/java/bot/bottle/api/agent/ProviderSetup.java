package bot.bottle.api.agent;

import java.util.List;
import java.util.Map;

/**
 * What a provider contributes to a bottle.
 *
 * @param dockerfile    the agent image recipe (Dockerfile text, built with no other context files; it
 *                      starts {@code ARG BASE} / {@code FROM ${BASE}}), or "" for the default agent image
 * @param routes        egress routes for the provider's API hosts (they win their host)
 * @param env           environment for the agent (placeholders and settings only, never real tokens)
 * @param setupCommands shell commands run in the agent container, as the agent's user and in the
 *                      agent's working directory, before the agent starts (for example registering
 *                      the supervise MCP server); joined with {@code &&}, so one failing stops the start
 * @param command       the agent's command line
 */
public record ProviderSetup(String dockerfile, List<ProviderRoute> routes, Map<String, String> env,
        List<String> setupCommands, List<String> command) {
    public ProviderSetup {
        routes = List.copyOf(routes);
        env = Map.copyOf(env);
        setupCommands = List.copyOf(setupCommands);
        command = List.copyOf(command);
    }
}
