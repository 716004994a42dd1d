package bot.bottle.agent.claude;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Component;

import bot.bottle.api.agent.AgentProvider;
import bot.bottle.api.agent.ProviderRequest;
import bot.bottle.api.agent.ProviderRoute;
import bot.bottle.api.agent.ProviderSetup;

/**
 * Claude Code. Authenticates with a long-lived OAuth token ({@code claude setup-token}) held by the
 * host variable {@code agent_provider.auth_token} names: the provider's {@code api.anthropic.com}
 * route has the proxy inject it as {@code Authorization: Bearer}, while the agent only ever sees
 * {@code CLAUDE_CODE_OAUTH_TOKEN=bot-bottle-placeholder} (which makes Claude Code use the OAuth
 * header, that the proxy then replaces).
 */
@Component(service = AgentProvider.class, property = AgentProvider.ID_PROPERTY + "=claude")
public final class ClaudeAgentProvider implements AgentProvider {
    public static final String ID = "claude";
    public static final String API_HOST = "api.anthropic.com";
    /** The agent's variable; Claude Code sends its value as a Bearer token. */
    public static final String TOKEN_ENV = "CLAUDE_CODE_OAUTH_TOKEN";
    static final String RECIPE = "/recipes/claude.Dockerfile";

    private final String dockerfile;

    public ClaudeAgentProvider() {
        this.dockerfile = resource(RECIPE);
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public ProviderSetup setup(ProviderRequest request) {
        String token = request.authTokenRef() == null ? "" : request.authTokenRef();
        String mcp = request.superviseUrl() == null ? "" : request.superviseUrl();
        List<ProviderRoute> routes = List.of(token.isEmpty()
                ? new ProviderRoute(API_HOST, "", "", "redact")
                : new ProviderRoute(API_HOST, "Bearer", token, "redact"));
        Map<String, String> env = new LinkedHashMap<>();
        if (!token.isEmpty()) {
            env.put(TOKEN_ENV, PLACEHOLDER);
        }
        // Only api.anthropic.com is routed: keep telemetry, error reporting and update checks from
        // knocking on hosts the bottle refuses anyway.
        env.put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
        env.put("DISABLE_AUTOUPDATER", "1");

        List<String> setup = new ArrayList<>();
        // Skills: a bottle's own Dockerfile may lack the image's link, so make it here when absent.
        setup.add("mkdir -p \"$HOME/.claude\" && { [ -e \"$HOME/.claude/skills\" ] || ln -s " + SKILLS_DIR
                + " \"$HOME/.claude/skills\"; }");
        // The first interactive start would otherwise stop at the theme and login screens.
        setup.add("{ [ -e \"$HOME/.claude.json\" ] || printf '%s\\n' '{\"hasCompletedOnboarding\":true}' > \"$HOME/.claude.json\"; }");
        if (!mcp.isEmpty()) {
            // Remove first: a resumed bottle already has the server, and add refuses a duplicate.
            setup.add("{ claude mcp remove --scope user supervise >/dev/null 2>&1 || true; }");
            setup.add("claude mcp add --transport http supervise " + Shell.quote(mcp) + " --scope user");
        }
        return new ProviderSetup(dockerfile, routes, env, setup, request.withPrompt(List.of("claude")));
    }

    static String resource(String name) {
        try (InputStream in = ClaudeAgentProvider.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("recipe " + name + " is missing from the bundle");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
