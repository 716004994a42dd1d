package bot.bottle.backend.docker.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import bot.bottle.api.plan.BottlePlan;
import bot.bottle.api.plan.EgressPlan;
import bot.bottle.api.plan.EgressRoute;
import bot.bottle.api.plan.GitRepo;
import bot.bottle.api.plan.GitUser;
import bot.bottle.api.plan.ImageRecipe;
import bot.bottle.api.plan.Mount;
import bot.bottle.api.plan.ProviderPlan;
import bot.bottle.api.plan.TokenSlot;

class TopologyTest {
    static final String TOKEN = "ghp_realvalue123";

    static BottlePlan plan() {
        return BottlePlan.builder().slug("dev-1a2b3c").agent("dev").bottle("dev")
                .provider(new ProviderPlan("claude", "builtin", "HOST_TOKEN", false))
                .image(new ImageRecipe("provider", "", "", "bot-bottle-agent-claude:latest"))
                .egress(new EgressPlan("off", List.of(new EgressRoute("api.example.com", "manifest", "Bearer",
                        "EGRESS_TOKEN_1", List.of(), false, null, null, "block"))))
                .tokenSlots(List.of(new TokenSlot("EGRESS_TOKEN_1", "HOST_TOKEN")))
                .env(Map.of("CLAUDE_CODE_OAUTH_TOKEN", "bot-bottle-placeholder"))
                .gitRepos(List.of(new GitRepo("app", "git@github.com:me/app.git", "/home/me/.ssh/id", "")))
                .gitUser(new GitUser("Me", "me@example.com"))
                .mounts(List.of(new Mount("/home/me/skills/x", "/etc/bot-bottle/skills/x", true)))
                .setupCommands(List.of("claude mcp add --transport http supervise http://sidecar:9100/mcp"))
                .command(List.of("claude"))
                .build();
    }

    @Test
    void tokensGoToTheSidecarEnvironmentOnly() {
        BottlePlan p = plan();
        Map<String, String> tokens = Topology.tokenValues(p, Map.of("HOST_TOKEN", TOKEN)::get);
        ContainerSpec sc = Topology.sidecar(p, "/home/me/.bot-bottle/state/dev-1a2b3c", "sc", tokens, "canary1",
                "1000:1000", "");
        ContainerSpec ag = Topology.agent(p, "img", "10.0.0.2", "canary1", "/state/agent-ca", "runsc");
        assertEquals(TOKEN, sc.envValue("EGRESS_TOKEN_1"));
        assertTrue(sc.cmd().isEmpty(), "the sidecar's argv is the image's: no token in it");
        String agentAll = String.join("\n", ag.env()) + String.join("\n", ag.cmd()) + ag.binds() + ag.labels();
        assertFalse(agentAll.contains(TOKEN), "the agent's container spec holds the token");
        assertEquals("bot-bottle-placeholder", ag.envValue("CLAUDE_CODE_OAUTH_TOKEN"));
        assertEquals("canary1", ag.envValue("BOT_BOTTLE_CANARY"));
        assertEquals("canary1", sc.envValue("EGRESS_TOKEN_CANARY"));
    }

    @Test
    void aMissingHostTokenFailsBeforeAnythingIsCreated() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Topology.tokenValues(plan(), Map.<String, String>of()::get));
        assertEquals("host variable HOST_TOKEN is not set (bottle dev needs it for EGRESS_TOKEN_1)", e.getMessage());
    }

    @Test
    void theAgentIsOnTheInternalNetworkOnlyWithNoUsableDns() {
        ContainerSpec ag = Topology.agent(plan(), "img", "10.0.0.2", "c", "/s/agent-ca", "runsc");
        assertEquals("bot-bottle-dev-1a2b3c-internal", ag.network());
        assertEquals(List.of("127.0.0.1"), ag.dns());
        assertEquals(List.of("sidecar:10.0.0.2"), ag.extraHosts());
        assertEquals("runsc", ag.runtime());
        assertEquals("runsc", ag.labels().get(Names.LABEL_RUNTIME));
        assertTrue(ag.capDrop().contains("NET_RAW"));
        ContainerSpec sc = Topology.sidecar(plan(), "/s", "sc", Map.of(), "c", "", "");
        assertEquals("bot-bottle-dev-1a2b3c-egress", sc.network());
        assertEquals(List.of("ALL"), sc.capDrop());
    }

    @Test
    void proxyAndTrustSettingsInBothCases() {
        ContainerSpec ag = Topology.agent(plan(), "img", "10.0.0.2", "c", "/s/agent-ca", "");
        for (String k : List.of("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")) {
            assertEquals("http://sidecar:9099", ag.envValue(k), k);
        }
        assertEquals("localhost,127.0.0.1,sidecar", ag.envValue("NO_PROXY"));
        assertEquals("localhost,127.0.0.1,sidecar", ag.envValue("no_proxy"));
        for (String k : List.of("NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "GIT_SSL_CAINFO")) {
            assertEquals("/etc/bot-bottle/ca/ca.crt", ag.envValue(k), k);
        }
        assertTrue(ag.envValue("JAVA_TOOL_OPTIONS").contains("-Djavax.net.ssl.trustStore=/etc/bot-bottle/ca/truststore.jks"));
        assertTrue(ag.binds().contains("/s/agent-ca:/etc/bot-bottle/ca:ro"));
        assertFalse(ag.binds().stream().anyMatch(b -> b.startsWith("/s:") || b.contains("/state/")),
                "the agent must not mount the state directory: " + ag.binds());
        assertEquals("runc", ag.labels().get(Names.LABEL_RUNTIME));
        ContainerSpec noCa = Topology.agent(plan(), "img", "10.0.0.2", "c", null, "");
        assertNull(noCa.envValue("SSL_CERT_FILE"));
    }

    @Test
    void gitRemotesAreRewrittenToTheGateThroughGitsEnvironment() {
        ContainerSpec ag = Topology.agent(plan(), "img", "10.0.0.2", "c", null, "");
        assertEquals("url.http://sidecar:9420/app.insteadOf", ag.envValue("GIT_CONFIG_KEY_0"));
        assertEquals("git@github.com:me/app.git", ag.envValue("GIT_CONFIG_VALUE_0"));
        assertEquals("user.name", ag.envValue("GIT_CONFIG_KEY_1"));
        assertEquals("me@example.com", ag.envValue("GIT_CONFIG_VALUE_2"));
        assertEquals("3", ag.envValue("GIT_CONFIG_COUNT"));
        ContainerSpec sc = Topology.sidecar(plan(), "/s", "sc", Map.of(), "c", "", "");
        assertTrue(sc.binds().contains("/home/me/.ssh/id:/var/lib/bot-bottle/gitgate-keys/app/id:ro"));
        assertTrue(sc.envValue("BOT_BOTTLE_JAVA_OPTS")
                .contains("-Dbot.bottle.gitgate.config=/var/lib/bot-bottle/state/dev-1a2b3c/gitgate/config.json"));
    }

    @Test
    void theSidecarMountsTheStateAndSwitchesItsServicesOn() {
        ContainerSpec sc = Topology.sidecar(plan(), "/home/me/.bot-bottle/state/dev-1a2b3c", "sc", Map.of(), "c",
                "1000:1000", "-Dx=y");
        assertEquals(List.of("/home/me/.bot-bottle/state/dev-1a2b3c:/var/lib/bot-bottle/state/dev-1a2b3c",
                "/home/me/.ssh/id:/var/lib/bot-bottle/gitgate-keys/app/id:ro"), sc.binds());
        String opts = sc.envValue("BOT_BOTTLE_JAVA_OPTS");
        assertTrue(opts.contains("-Dbot.bottle.egress.routes=/var/lib/bot-bottle/state/dev-1a2b3c/egress/routes.yaml"));
        assertTrue(opts.contains("-Dbot.bottle.egress.state=/var/lib/bot-bottle/state/dev-1a2b3c/egress"));
        assertTrue(opts.contains("-Dbot.bottle.supervise.state=/var/lib/bot-bottle/state/dev-1a2b3c"));
        assertTrue(opts.endsWith("-Dx=y"));
        // the sidecar's kernel binds each service's port before the framework starts
        assertTrue(opts.contains("-Dbot.bottle.kernel.listen=tcp:0.0.0.0:9099,http:0.0.0.0:9100,http:0.0.0.0:9420 "),
                opts);
        assertEquals("1000:1000", sc.user());
        BottlePlan noSupervise = BottlePlan.builder().slug("s").agent("a").bottle("b")
                .provider(new ProviderPlan("claude", "", "", false)).image(new ImageRecipe("provider", "", "", "t"))
                .supervise(false).build();
        String alone = Topology.sidecar(noSupervise, "/s", "sc", Map.of(), "c", "", "").envValue("BOT_BOTTLE_JAVA_OPTS");
        assertFalse(alone.contains("supervise"));
        assertTrue(alone.endsWith("-Dbot.bottle.kernel.listen=tcp:0.0.0.0:9099"), alone);
    }

    @Test
    void setupCommandsRunBeforeTheAgentInOneShell() {
        assertEquals(List.of("/bin/sh", "-c",
                "claude mcp add --transport http supervise http://sidecar:9100/mcp && exec \"$@\"", "bot-bottle-agent",
                "claude"), Topology.agentCommand(plan()));
        BottlePlan bare = BottlePlan.builder().slug("s").agent("a").bottle("b")
                .provider(new ProviderPlan("x", "", "", false)).image(new ImageRecipe("provider", "", "", "t")).build();
        assertEquals(List.of("/bin/bash"), Topology.agentCommand(bare));
    }

    @Test
    void withASidecarTheCommandWaitsForTheReadyFileAfterTheSetup() {
        assertEquals(List.of("/bin/sh", "-c",
                "claude mcp add --transport http supervise http://sidecar:9100/mcp"
                        + " && while [ ! -e /etc/bot-bottle/ca/ready ]; do sleep 0.05; done && exec \"$@\"",
                "bot-bottle-agent", "claude"), Topology.agentCommand(plan(), true));
        BottlePlan bare = BottlePlan.builder().slug("s").agent("a").bottle("b")
                .provider(new ProviderPlan("x", "", "", false)).image(new ImageRecipe("provider", "", "", "t")).build();
        assertEquals(List.of("/bin/sh", "-c", "while [ ! -e /etc/bot-bottle/ca/ready ]; do sleep 0.05; done && exec \"$@\"",
                "bot-bottle-agent", "/bin/bash"), Topology.agentCommand(bare, true));
    }

    @Test
    void slugsMustBeDockerNames() {
        assertEquals("dev-1a2b3c", Names.checkSlug("dev-1a2b3c"));
        for (String bad : new String[] {"", "Dev", "-x", "a/b", "a b", "x".repeat(64), null}) {
            assertThrows(IllegalArgumentException.class, () -> Names.checkSlug(bad), String.valueOf(bad));
        }
    }
}
