package bot.bottle.api.agent;

import java.util.Map;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * An agent CLI (Claude Code, Codex, Gemini CLI, ...).
 *
 * <p>Register as an OSGi service with {@code bottle.provider.id} (String), the value bottles name in
 * {@code agent_provider.template}. Providers are bound dynamically: a signed contrib provider dropped
 * into {@code contrib/} is usable by the next {@code start}.
 *
 * <p>What a provider never does: put a real credential into its {@link ProviderSetup} (env, setup
 * commands, routes name host variables only), or assume the agent can reach anything but the sidecar.
 * Its image recipe builds {@code FROM ${BASE}} (a build argument the backend sets to the locally
 * bootstrapped base image) and links its CLI's skills folder to {@link #SKILLS_DIR}.
 */
@ConsumerType
public interface AgentProvider {

    /** The service property naming a provider. */
    String ID_PROPERTY = "bottle.provider.id";

    /** The value every placeholder variable has in the agent: real tokens live in the sidecar only. */
    String PLACEHOLDER = "bot-bottle-placeholder";

    /**
     * Where the bottle's skills appear in the agent container, one read-only folder per skill
     * ({@code /etc/bot-bottle/skills/<name>/SKILL.md}). Provider images link their CLI's own skills
     * folder here; a bottle's own Dockerfile may {@code COPY} skills to the same place.
     *
     * @since 1.1
     */
    String SKILLS_DIR = "/etc/bot-bottle/skills";

    /**
     * The build argument provider recipes read extra PEM certificates from (the build stage only), for
     * hosts whose route to the package registry passes a TLS-inspecting proxy. Empty by default; the
     * certificates never reach the final image.
     *
     * @since 1.1
     */
    String BUILD_CA_ARG = "BUILD_CA_CERTS";

    /** The provider's id, equal to its {@value #ID_PROPERTY} service property. */
    String id();

    /**
     * Describes what the provider needs for one bottle. Called on every plan (dry runs, {@code info},
     * {@code start}), on the caller's thread. It may read the host's own configuration of the CLI to
     * check that an option the request turns on can work (for example that a login to forward exists),
     * and fails with one line naming the file when not; it never returns a secret value.
     */
    ProviderSetup setup(ProviderRequest request);

    /**
     * The values of host credentials this provider reads itself rather than from the host environment
     * (Codex's device-auth access token from {@code ~/.codex/auth.json}), keyed by the host variable
     * name its routes use as {@link ProviderRoute#tokenRef()}. The launcher calls this once, right before
     * it starts the sidecar (never for a dry run), uses each value in place of the host variable of the
     * same name when it fills the plan's token slots, puts it in the sidecar's environment only, and
     * keeps no copy. Values must never be logged or written to a file.
     *
     * @return an unmodifiable map; empty when the request forwards nothing (the default)
     * @throws IllegalStateException with one line naming the file when a credential the request opts
     *                               into cannot be read
     * @since 1.1
     */
    default Map<String, String> hostCredentials(ProviderRequest request) {
        return Map.of();
    }
}
