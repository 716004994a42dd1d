package bot.bottle.backend.docker.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import bot.bottle.api.plan.EgressPlan;
import bot.bottle.api.plan.EgressRoute;
import bot.bottle.api.plan.HeaderMatch;
import bot.bottle.api.plan.MatchRule;
import bot.bottle.api.plan.PathMatch;

class RoutesFileTest {
    @Test
    void rendersTheRoutesShapeWithEveryStringQuoted() throws Exception {
        EgressPlan p = new EgressPlan("off", List.of(
                new EgressRoute("api.example.com", "provider:claude", "Bearer", "EGRESS_TOKEN_1",
                        List.of(new MatchRule(List.of(new PathMatch("prefix", "/v1/")), List.of("GET", "POST"),
                                List.of(new HeaderMatch("x-a", "no", "exact")))), true, List.of(), null, "redact"),
                new EgressRoute("plain.example.com", "manifest", "", "", List.of(), false, null, null, "block")));
        String text = RoutesFile.render(p);
        JsonNode n = new ObjectMapper().readTree(text);
        assertEquals("off", n.get("log").asText());
        JsonNode r0 = n.get("routes").get(0);
        assertEquals("Bearer", r0.get("auth_scheme").asText());
        assertEquals("EGRESS_TOKEN_1", r0.get("token_env").asText());
        assertEquals("/v1/", r0.at("/matches/0/paths/0/value").asText());
        assertEquals("no", r0.at("/matches/0/headers/0/value").asText(), "YAML 1.1 'no' stays a string");
        assertEquals(true, r0.at("/git/fetch").asBoolean());
        assertEquals(false, r0.at("/dlp/outbound_detectors").asBoolean(true), "empty list means scanning off");
        assertEquals("redact", r0.get("outbound_on_match").asText());
        JsonNode r1 = n.get("routes").get(1);
        assertEquals(false, r1.has("auth_scheme"));
        assertEquals(false, r1.has("dlp"));
        assertEquals("\"off\"", text.lines().filter(l -> l.contains("\"log\"")).findFirst().orElseThrow()
                .split(":")[1].strip().replace(",", ""));
    }
}
