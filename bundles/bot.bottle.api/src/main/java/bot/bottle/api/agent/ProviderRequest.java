package bot.bottle.api.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a provider is told about the bottle it serves.
 *
 * @param authTokenRef           the host variable named by {@code agent_provider.auth_token}, or ""
 * @param forwardHostCredentials {@code agent_provider.forward_host_credentials}
 * @param superviseUrl           the supervise MCP server URL as seen from the agent, or "" when off
 * @param prompt                 the agent's prompt (the agent file's body), or "" for none; the provider
 *                               hands it to its CLI as the first message of an interactive session
 *                               (since 1.2)
 */
public record ProviderRequest(String authTokenRef, boolean forwardHostCredentials, String superviseUrl,
        String prompt) {

    public ProviderRequest {
        authTokenRef = Objects.requireNonNullElse(authTokenRef, "");
        superviseUrl = Objects.requireNonNullElse(superviseUrl, "");
        prompt = Objects.requireNonNullElse(prompt, "");
    }

    /** A request without a prompt (the 1.1 shape). */
    public ProviderRequest(String authTokenRef, boolean forwardHostCredentials, String superviseUrl) {
        this(authTokenRef, forwardHostCredentials, superviseUrl, "");
    }

    /**
     * {@code command}, then {@code --} and the prompt when there is one: how a CLI that takes its first
     * message as a positional argument (claude, codex, gemini) starts an interactive session with it.
     * The {@code --} keeps a prompt that starts with a dash from being read as an option.
     *
     * @since 1.2
     */
    public List<String> withPrompt(List<String> command) {
        if (prompt.isBlank()) {
            return List.copyOf(command);
        }
        List<String> out = new ArrayList<>(command);
        out.add("--");
        out.add(prompt.strip());
        return List.copyOf(out);
    }

    /**
     * {@code command}, then {@code option=prompt} when there is a prompt: for a CLI that takes its
     * first message through an option (gemini's {@code --prompt-interactive}). The {@code =} form keeps
     * a prompt that starts with a dash the option's value.
     *
     * @since 1.2
     */
    public List<String> withPromptOption(List<String> command, String option) {
        if (prompt.isBlank()) {
            return List.copyOf(command);
        }
        List<String> out = new ArrayList<>(command);
        out.add(option + "=" + prompt.strip());
        return List.copyOf(out);
    }
}
