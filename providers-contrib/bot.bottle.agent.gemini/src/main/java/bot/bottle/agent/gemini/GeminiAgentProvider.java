package bot.bottle.agent.gemini;

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
 * Google's Gemini CLI, shipped as a contrib bundle: signed and dropped into {@code contrib/}, it
 * replaces the manifest's built-in gemini defaults without touching the distribution.
 *
 * <p>Auth: the Gemini API key the host variable {@code agent_provider.auth_token} names. The agent has
 * {@code GEMINI_API_KEY=bot-bottle-placeholder} and {@code GEMINI_API_KEY_AUTH_MECHANISM=bearer}, so
 * the CLI sends the key as {@code Authorization: Bearer} (instead of its default
 * {@code x-goog-api-key} header, which the egress proxy does not inject) and the proxy replaces it
 * with the real key on {@code generativelanguage.googleapis.com}. {@code x-goog-api-key} is sent empty
 * ({@code GEMINI_CLI_CUSTOM_HEADERS}), so the placeholder never leaves the agent. Whether Google's API
 * accepts an API key as a Bearer credential is not verifiable here; an egress injection into
 * {@code x-goog-api-key} would make that question moot (see docs/providers.md).
 */
@Component(service = AgentProvider.class, property = AgentProvider.ID_PROPERTY + "=gemini")
public final class GeminiAgentProvider implements AgentProvider {
    public static final String ID = "gemini";
    public static final String API_HOST = "generativelanguage.googleapis.com";
    static final String RECIPE = "/recipes/gemini.Dockerfile";

    private final String dockerfile;

    public GeminiAgentProvider() {
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
            env.put("GEMINI_API_KEY", PLACEHOLDER);
            env.put("GEMINI_API_KEY_AUTH_MECHANISM", "bearer");
            // The SDK adds x-goog-api-key (with the placeholder) unless the request already has one:
            // send it empty, so the only credential on the wire is the Authorization the proxy owns.
            env.put("GEMINI_CLI_CUSTOM_HEADERS", "x-goog-api-key:");
        }
        // The bottle is the boundary the user trusted: without this the CLI refuses to run headless in
        // a folder nobody marked trusted interactively.
        env.put("GEMINI_CLI_TRUST_WORKSPACE", "true");
        List<String> setup = new ArrayList<>();
        setup.add("mkdir -p \"$HOME/.gemini\" && { [ -e \"$HOME/.gemini/skills\" ] || ln -s " + SKILLS_DIR
                + " \"$HOME/.gemini/skills\"; }");
        // Settings the CLI would otherwise ask for or fetch: the auth type, and no update checks or
        // usage statistics (their hosts are not routed). Only written when the user has none.
        String auth = token.isEmpty() ? "" : ",\"security\":{\"auth\":{\"selectedType\":\"gemini-api-key\"}}";
        setup.add("{ [ -e \"$HOME/.gemini/settings.json\" ] || printf '%s\\n' '{\"general\":{\"disableAutoUpdate\":true,"
                + "\"disableUpdateNag\":true},\"privacy\":{\"usageStatisticsEnabled\":false}" + auth
                + "}' > \"$HOME/.gemini/settings.json\"; }");
        if (!mcp.isEmpty()) {
            setup.add("{ gemini mcp remove --scope user supervise >/dev/null 2>&1 || true; }");
            setup.add("gemini mcp add --scope user --transport http supervise " + Shell.quote(mcp));
        }
        return new ProviderSetup(dockerfile, routes, env, setup, // gemini's positional query is not read after "--"; its option is
                request.withPromptOption(List.of("gemini"), "--prompt-interactive"));
    }

    static String resource(String name) {
        try (InputStream in = GeminiAgentProvider.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("recipe " + name + " is missing from the bundle");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
