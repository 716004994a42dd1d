package bot.bottle.api.agent;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * An agent CLI (Claude Code, Codex, Gemini CLI, ...).
 *
 * <p>Register as an OSGi service with {@code bottle.provider.id} (String), the value bottles name in
 * {@code agent_provider.template}. Providers are bound dynamically: a signed contrib provider dropped
 * into {@code contrib/} is usable by the next {@code start}.
 */
@ConsumerType
public interface AgentProvider {

    /** The service property naming a provider. */
    String ID_PROPERTY = "bottle.provider.id";

    /** The provider's id, equal to its {@value #ID_PROPERTY} service property. */
    String id();

    /** Describes what the provider needs for one bottle. Pure: no I/O. */
    ProviderSetup setup(ProviderRequest request);
}
