package bot.bottle.manifest.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import bot.bottle.api.agent.ProviderRequest;
import bot.bottle.api.agent.ProviderRoute;
import bot.bottle.api.agent.ProviderSetup;

/**
 * What claude, codex and gemini contribute when no {@code AgentProvider} service with that id is
 * bound, so that a dry run shows the provider's routes before any provider bundle is installed. A
 * bound provider service always replaces these defaults; they carry no image recipe.
 */
final class BuiltinProviders implements ProviderCatalog {

    /** The value placeholders take in the agent: the real token only ever lives in the sidecar. */
    static final String PLACEHOLDER = "bot-bottle-placeholder";
    /** Host variable holding the Codex access token read from the host's device auth. */
    static final String CODEX_HOST_CREDENTIAL_TOKEN_REF = "BOT_BOTTLE_CODEX_HOST_ACCESS_TOKEN";

    @Override
    public Set<String> ids() {
        return Set.of("claude", "codex", "gemini");
    }

    @Override
    public Setup setup(String id, ProviderRequest r) {
        List<ProviderRoute> routes = new ArrayList<>();
        Map<String, String> env = new LinkedHashMap<>();
        List<String> setup = new ArrayList<>();
        String token = r.authTokenRef() == null ? "" : r.authTokenRef();
        String mcp = r.superviseUrl() == null ? "" : r.superviseUrl();
        List<String> command;
        switch (id) {
            case "claude" -> {
                routes.add(auth("api.anthropic.com", token));
                if (!token.isEmpty()) {
                    env.put("CLAUDE_CODE_OAUTH_TOKEN", PLACEHOLDER);
                }
                if (!mcp.isEmpty()) {
                    setup.add("claude mcp add --transport http supervise " + mcp);
                }
                command = r.withPrompt(List.of("claude"));
            }
            case "codex" -> {
                routes.add(auth("api.openai.com", token));
                if (!token.isEmpty()) {
                    env.put("OPENAI_API_KEY", PLACEHOLDER);
                }
                if (r.forwardHostCredentials()) {
                    routes.add(new ProviderRoute("chatgpt.com", "Bearer", CODEX_HOST_CREDENTIAL_TOKEN_REF, ""));
                }
                if (!mcp.isEmpty()) {
                    setup.add("codex mcp add supervise --url " + mcp);
                }
                command = r.withPrompt(List.of("codex"));
            }
            case "gemini" -> {
                routes.add(auth("generativelanguage.googleapis.com", token));
                if (!token.isEmpty()) {
                    env.put("GEMINI_API_KEY", PLACEHOLDER);
                }
                command = r.withPromptOption(List.of("gemini"), "--prompt-interactive");
            }
            default -> {
                return null;
            }
        }
        return new Setup("builtin", new ProviderSetup("", routes, env, setup, command));
    }

    private static ProviderRoute auth(String host, String token) {
        return token.isEmpty() ? new ProviderRoute(host, "", "", "")
                : new ProviderRoute(host, "Bearer", token, "");
    }
}
