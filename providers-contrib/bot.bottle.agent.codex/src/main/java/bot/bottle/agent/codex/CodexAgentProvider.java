package bot.bottle.agent.codex;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.osgi.service.component.annotations.Component;

import bot.bottle.api.agent.AgentProvider;
import bot.bottle.api.agent.ProviderRequest;
import bot.bottle.api.agent.ProviderRoute;
import bot.bottle.api.agent.ProviderSetup;

/**
 * The Codex CLI. Two ways to authenticate, both with the real credential in the sidecar only:
 * <ul>
 * <li>{@code agent_provider.auth_token}: an OpenAI API key, injected as Bearer on {@code api.openai.com};
 * the agent logs in with {@code OPENAI_API_KEY=bot-bottle-placeholder};</li>
 * <li>{@code agent_provider.forward_host_credentials: true}: the host's ChatGPT device-auth login. The
 * provider reads {@code ~/.codex/auth.json} when planning (to check the login exists and to learn the
 * account id), the route {@code chatgpt.com} injects the access token from the token slot named by
 * {@value #CODEX_HOST_CREDENTIAL_TOKEN_REF}, whose value {@link #hostCredentials} reads at launch; the
 * agent gets a placeholder ChatGPT login (fake tokens, the real account id).</li>
 * </ul>
 */
@Component(service = AgentProvider.class, property = AgentProvider.ID_PROPERTY + "=codex")
public final class CodexAgentProvider implements AgentProvider {
    public static final String ID = "codex";
    public static final String API_HOST = "api.openai.com";
    public static final String CHATGPT_HOST = "chatgpt.com";
    /** The host variable the forwarded access token is known by (the seeds' name). */
    public static final String CODEX_HOST_CREDENTIAL_TOKEN_REF = "BOT_BOTTLE_CODEX_HOST_ACCESS_TOKEN";
    static final String RECIPE = "/recipes/codex.Dockerfile";

    private final String dockerfile;
    private final Function<String, String> env;
    private final Path userHome;

    public CodexAgentProvider() {
        this(System::getenv, Path.of(System.getProperty("user.home")));
    }

    /** For tests: where {@code CODEX_HOME} and the home directory are looked up. */
    CodexAgentProvider(Function<String, String> env, Path userHome) {
        this.dockerfile = resource(RECIPE);
        this.env = env;
        this.userHome = userHome;
    }

    @Override
    public String id() {
        return ID;
    }

    /** {@code $CODEX_HOME/auth.json}, else {@code ~/.codex/auth.json} (where the Codex CLI keeps it). */
    Path authFile() {
        String home = env.apply("CODEX_HOME");
        return (home == null || home.isBlank() ? userHome.resolve(".codex") : Path.of(home)).resolve("auth.json");
    }

    @Override
    public ProviderSetup setup(ProviderRequest request) {
        String token = request.authTokenRef() == null ? "" : request.authTokenRef();
        String mcp = request.superviseUrl() == null ? "" : request.superviseUrl();
        HostLogin login = request.forwardHostCredentials() ? HostLogin.read(authFile()) : null;

        List<ProviderRoute> routes = new ArrayList<>();
        routes.add(token.isEmpty() ? new ProviderRoute(API_HOST, "", "", "redact")
                : new ProviderRoute(API_HOST, "Bearer", token, "redact"));
        if (login != null) {
            routes.add(new ProviderRoute(CHATGPT_HOST, "Bearer", CODEX_HOST_CREDENTIAL_TOKEN_REF, "redact"));
        }
        Map<String, String> agentEnv = new LinkedHashMap<>();
        if (!token.isEmpty()) {
            agentEnv.put("OPENAI_API_KEY", PLACEHOLDER);
        }
        List<String> setup = new ArrayList<>();
        setup.add("mkdir -p \"$HOME/.codex\" && { [ -e \"$HOME/.codex/skills\" ] || ln -s " + SKILLS_DIR
                + " \"$HOME/.codex/skills\"; }");
        if (login != null) {
            setup.add(placeholderChatGptLogin(login));
        } else if (!token.isEmpty()) {
            setup.add("{ [ -e \"$HOME/.codex/auth.json\" ] || printenv OPENAI_API_KEY | codex login --with-api-key >/dev/null; }");
        }
        if (!mcp.isEmpty()) {
            setup.add("codex mcp add supervise --url " + Shell.quote(mcp));
        }
        return new ProviderSetup(dockerfile, routes, agentEnv, setup, request.withPrompt(List.of("codex")));
    }

    @Override
    public Map<String, String> hostCredentials(ProviderRequest request) {
        if (!request.forwardHostCredentials()) {
            return Map.of();
        }
        return Map.of(CODEX_HOST_CREDENTIAL_TOKEN_REF, HostLogin.read(authFile()).accessToken());
    }

    /** An unsigned JWT whose signature part spells the placeholder: parseable, worthless. */
    static String placeholderJwt(String accountId, String planType) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String claims = "{\"email\":\"agent@bot-bottle.invalid\",\"exp\":4102444800,"
                + "\"https://api.openai.com/auth\":{\"chatgpt_account_id\":\"" + accountId + "\",\"chatgpt_plan_type\":\""
                + (planType.isEmpty() ? "plus" : planType) + "\"}}";
        return header + "." + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(PLACEHOLDER.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Writes the agent's ChatGPT login: placeholder tokens, the host's account id (an identifier,
     * validated to {@code [A-Za-z0-9_-]}), and {@code last_refresh} = the start time, so the CLI does not
     * try to refresh (auth.openai.com is not routed) during the session.
     */
    static String placeholderChatGptLogin(HostLogin login) {
        String jwt = placeholderJwt(login.accountId(), login.planType());
        String json = "{\"auth_mode\":\"chatgpt\",\"OPENAI_API_KEY\":null,\"tokens\":{\"id_token\":\"" + jwt
                + "\",\"access_token\":\"" + jwt + "\",\"refresh_token\":\"" + PLACEHOLDER + "\",\"account_id\":\""
                + login.accountId() + "\"},\"last_refresh\":\"'\"$(date -u +%Y-%m-%dT%H:%M:%SZ)\"'\"}";
        return "printf '%s\\n' '" + json + "' > \"$HOME/.codex/auth.json\" && chmod 600 \"$HOME/.codex/auth.json\"";
    }

    static String resource(String name) {
        try (InputStream in = CodexAgentProvider.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("recipe " + name + " is missing from the bundle");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
