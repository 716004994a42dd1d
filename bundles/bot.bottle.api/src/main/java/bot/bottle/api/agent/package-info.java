/**
 * Agent providers: what an agent CLI needs inside a bottle.
 *
 * <p>1.1: {@link bot.bottle.api.agent.AgentProvider#hostCredentials}, and the shared constants
 * {@code PLACEHOLDER}, {@code SKILLS_DIR}, {@code BUILD_CA_ARG}.
 *
 * <p>1.2: {@link bot.bottle.api.agent.ProviderRequest#prompt}: the agent's prompt reaches the provider,
 * which starts its CLI with it.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package bot.bottle.api.agent;
