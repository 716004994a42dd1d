package bot.bottle.demo.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import bot.bottle.api.plan.BottlePlan;
import bot.bottle.api.plan.EgressRoute;
import bot.bottle.egress.routes.RoutesValidatorImpl;

class DemoPlanTest {

    @Test
    void planGivesTheAgentAPlaceholderAndTheSidecarATokenSlot() {
        BottlePlan p = DemoPlan.plan("demo-abc123");
        assertEquals(Map.of(DemoPlan.AGENT_TOKEN_VAR, DemoPlan.PLACEHOLDER), p.env());
        assertEquals(DemoPlan.TOKEN_REF, p.tokenSlots().get(0).tokenRef());
        EgressRoute api = p.egress().routes().get(0);
        assertEquals(List.of(DemoPlan.API_HOST, "Bearer", DemoPlan.TOKEN_SLOT, "block"),
                List.of(api.host(), api.authScheme(), api.tokenEnv(), api.outboundOnMatch()));
        assertEquals(1, p.egress().routes().size(), "new.demo.test is only added by the supervised approval");
        assertTrue(p.supervise());
        assertEquals(List.of("sleep", "infinity"), p.command());
        assertEquals("/var/lib/bot-bottle/state/demo-abc123/demo/upstream/demo.git", p.gitRepos().get(0).upstream());
        assertEquals("bot-bottle-demo-abc123-egress", p.networks().egress());
    }

    @Test
    void proposedRoutesPassTheEgressParserAndAddTheNewHost() throws Exception {
        // the same validator supervise runs before queueing the proposal
        assertEquals(List.of(DemoPlan.API_HOST, DemoPlan.NEW_HOST), new RoutesValidatorImpl().validate(DemoPlan.proposedRoutes()));
        assertTrue(DemoPlan.proposedRoutes().contains("host: " + DemoPlan.NEW_HOST));
        assertTrue(DemoPlan.proposedRoutes().contains("token_env: " + DemoPlan.TOKEN_SLOT));
    }

    @Test
    void sidecarOptsTrustTheDemoCaPinBothHostsAndReplaceTheGateConfig() {
        String opts = DemoPlan.sidecarOpts("demo-abc123", "172.17.0.1", 40123);
        assertEquals(List.of(
                "-Dbot.bottle.egress.upstreamCa=/var/lib/bot-bottle/state/demo-abc123/demo/upstream-ca.pem",
                "-Dbot.bottle.gitgate.config=/var/lib/bot-bottle/state/demo-abc123/demo/gitgate.json",
                "-Dbot.bottle.egress.resolve=api.demo.test:40123:172.17.0.1,new.demo.test:40123:172.17.0.1"),
                List.of(opts.split(" ")));
    }

    @Test
    void gateConfigNamesStateQueueAndThePathUpstream() {
        String c = DemoPlan.gitgateConfig("demo-abc123");
        assertTrue(c.contains("\"state\": \"/var/lib/bot-bottle/state/demo-abc123\""), c);
        assertTrue(c.contains("\"queue\": \"/var/lib/bot-bottle/state/demo-abc123/supervise/queue\""), c);
        assertTrue(c.contains("\"upstream\": \"/var/lib/bot-bottle/state/demo-abc123/demo/upstream/demo.git\""), c);
    }

    @Test
    void agentOutputParsing() {
        Map<String, String> m = AgentShell.parse("code=403\nnoise line\nrefusal=refused; rule=x=y\ncode=200\n");
        assertEquals("403", m.get("code"), "first value wins");
        assertEquals("refused; rule=x=y", m.get("refusal"));
        assertEquals(2, m.size());
    }

    @Test
    void jsonQuotingAndFieldReading() {
        assertEquals("\"a\\\"b\\\\c\\nd\\u0001\"", Json.quote("a\"b\\c\nd\u0001"));
        assertEquals("appro\"ved", Json.field("{\"action\":\"appro\\\"ved\",\"x\":1}", "action"));
        assertEquals("?", Json.field("{}", "action"));
    }
}
