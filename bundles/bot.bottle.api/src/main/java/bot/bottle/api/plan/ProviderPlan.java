package bot.bottle.api.plan;

import java.util.Objects;

/**
 * The agent provider of a bottle.
 *
 * @param id                     the provider id ({@code agent_provider.template}: claude, codex, ...)
 * @param source                 {@code service} when a bound {@code AgentProvider} service supplied the
 *                               setup, {@code builtin} when the manifest bundle's built-in defaults did
 * @param authTokenRef           the host variable named by {@code agent_provider.auth_token}, or ""
 * @param forwardHostCredentials {@code agent_provider.forward_host_credentials}
 */
public record ProviderPlan(String id, String source, String authTokenRef, boolean forwardHostCredentials) {
    public ProviderPlan {
        Objects.requireNonNull(id, "id");
        source = Plans.orEmpty(source);
        authTokenRef = Plans.orEmpty(authTokenRef);
    }
}
