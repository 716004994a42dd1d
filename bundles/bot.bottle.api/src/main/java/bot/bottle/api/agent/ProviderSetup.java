package bot.bottle.api.agent;

import java.util.List;
import java.util.Map;

/**
 * What a provider contributes to a bottle.
 *
 * @param dockerfile    the agent image recipe
 * @param routes        egress routes for the provider's API hosts (they win their host)
 * @param env           environment for the agent (placeholders only, never real tokens)
 * @param setupCommands shell commands run in the agent container before the agent starts
 *                      (for example registering the supervise MCP server)
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
