package bot.bottle.api.agent;

/**
 * What a provider is told about the bottle it serves.
 *
 * @param authTokenRef           the host variable named by {@code agent_provider.auth_token}, or ""
 * @param forwardHostCredentials {@code agent_provider.forward_host_credentials}
 * @param superviseUrl           the supervise MCP server URL as seen from the agent, or "" when off
 */
public record ProviderRequest(String authTokenRef, boolean forwardHostCredentials, String superviseUrl) {
}
