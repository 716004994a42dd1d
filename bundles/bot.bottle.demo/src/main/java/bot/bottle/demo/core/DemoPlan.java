package bot.bottle.demo.core;

import java.util.List;
import java.util.Map;

import bot.bottle.api.plan.BottlePlan;
import bot.bottle.api.plan.EgressPlan;
import bot.bottle.api.plan.EgressRoute;
import bot.bottle.api.plan.GitRepo;
import bot.bottle.api.plan.GitUser;
import bot.bottle.api.plan.ImageRecipe;
import bot.bottle.api.plan.ProviderPlan;
import bot.bottle.api.plan.TokenSlot;

/**
 * The demo bottle, built in code: one API route with an injected Bearer token and outbound DLP that
 * blocks, a git-gate repository whose upstream is a bare repository in the bottle's own state
 * directory, supervise on, and an agent that idles so the demo drives it with {@code exec}.
 */
public final class DemoPlan {
    public static final String API_HOST = "api.demo.test";
    public static final String NEW_HOST = "new.demo.test";
    /** The host variable the launcher copies into the sidecar's token slot (set only in the demo's child). */
    public static final String TOKEN_REF = "BOT_BOTTLE_DEMO_API_TOKEN";
    public static final String TOKEN_SLOT = "EGRESS_TOKEN_1";
    /** The agent's view of the token: a placeholder. */
    public static final String AGENT_TOKEN_VAR = "DEMO_API_TOKEN";
    public static final String PLACEHOLDER = "bot-bottle-placeholder";
    public static final String REPO = "demo";
    public static final String IMAGE_TAG = "bot-bottle-agent-demo:latest";
    /** Where the sidecar sees a bottle's state directory (the Docker backend's bind mount). */
    public static final String SIDECAR_STATE_ROOT = "/var/lib/bot-bottle/state";

    private DemoPlan() {
    }

    /** The upstream repository as the sidecar sees it: inside the bind-mounted state directory. */
    public static String sidecarUpstream(String slug) {
        return SIDECAR_STATE_ROOT + "/" + slug + "/demo/upstream/" + REPO + ".git";
    }

    /** The stand-in's CA as the sidecar sees it. */
    public static String sidecarUpstreamCa(String slug) {
        return SIDECAR_STATE_ROOT + "/" + slug + "/demo/upstream-ca.pem";
    }

    /** The demo's own git gate configuration as the sidecar sees it. */
    public static String sidecarGitgateConfig(String slug) {
        return SIDECAR_STATE_ROOT + "/" + slug + "/demo/gitgate.json";
    }

    /** The git gate's configuration: the one repository, its path upstream, proposals to the bottle's queue. */
    public static String gitgateConfig(String slug) {
        String state = SIDECAR_STATE_ROOT + "/" + slug;
        return "{\"listen\": \"0.0.0.0:9420\", \"state\": \"" + state + "\", \"bottle\": \"" + slug + "\",\n"
                + " \"supervise\": {\"queue\": \"" + state + "/supervise/queue\"},\n"
                + " \"repos\": {\"" + REPO + "\": {\"upstream\": \"" + sidecarUpstream(slug)
                + "\", \"default_branch\": \"main\"}}}\n";
    }

    public static BottlePlan plan(String slug) {
        EgressRoute api = new EgressRoute(API_HOST, "manifest", "Bearer", TOKEN_SLOT, List.of(), false, null, null,
                "block");
        return BottlePlan.builder()
                .slug(slug)
                .agent("rogue")
                .bottle("demo")
                .sources(List.of("bot-bottle demo (built in code)"))
                .provider(new ProviderPlan("demo", "builtin", "", false))
                // the default agent recipe (Debian base, curl, git, ca-certificates; getent is in libc-bin)
                .image(new ImageRecipe("provider", "", "", IMAGE_TAG))
                .env(Map.of(AGENT_TOKEN_VAR, PLACEHOLDER))
                .egress(new EgressPlan("blocks", List.of(api)))
                .tokenSlots(List.of(new TokenSlot(TOKEN_SLOT, TOKEN_REF)))
                .gitRepos(List.of(new GitRepo(REPO, sidecarUpstream(slug), "", "")))
                .gitUser(new GitUser("rogue agent", "rogue@demo.test"))
                .supervise(true)
                .prompt("A scripted rogue agent: it tries every way out.")
                .command(List.of("sleep", "infinity"))
                .build();
    }

    /**
     * The JVM options that make the sidecar's egress proxy trust the stand-in's CA and pin both demo
     * hosts, on {@code port}, to the stand-in's address (a private address, which the proxy refuses
     * unless a pin names it).
     */
    public static String sidecarOpts(String slug, String address, int port) {
        // The gate's config comes last on the sidecar's command line, so it replaces the backend's
        // (whose rendering lacks the gate's required `state` key; see docs/demo.md).
        return "-Dbot.bottle.egress.upstreamCa=" + sidecarUpstreamCa(slug)
                + " -Dbot.bottle.gitgate.config=" + sidecarGitgateConfig(slug)
                + " -Dbot.bottle.egress.resolve=" + API_HOST + ":" + port + ":" + address + ","
                + NEW_HOST + ":" + port + ":" + address;
    }

    /** The full routes.yaml the agent proposes through the supervise {@code allow} tool: the live route plus one. */
    public static String proposedRoutes() {
        return "log: blocks\n"
                + "routes:\n"
                + "  - host: " + API_HOST + "\n"
                + "    auth_scheme: Bearer\n"
                + "    token_env: " + TOKEN_SLOT + "\n"
                + "    outbound_on_match: block\n"
                + "  - host: " + NEW_HOST + "\n"
                + "    outbound_on_match: block\n";
    }
}
