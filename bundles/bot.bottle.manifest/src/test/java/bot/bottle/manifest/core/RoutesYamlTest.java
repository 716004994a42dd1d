package bot.bottle.manifest.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import bot.bottle.api.plan.BottlePlan;

class RoutesYamlTest {
    @TempDir
    Path tmp;

    @Test
    void rendersTheSidecarContractAndReadsBackWithASafeLoader() throws Exception {
        TestHome h = ExamplesTest.exampleHome(tmp);
        BottlePlan plan = h.builder().plan("gitea-maintainer", "s");
        String yaml = RoutesYaml.render(plan.egress());
        Map<String, Object> root = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
        assertEquals(List.of("log", "routes"), List.copyOf(root.keySet()));
        assertEquals("blocks", root.get("log"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> routes = (List<Map<String, Object>>) root.get("routes");
        assertEquals(5, routes.size());
        assertEquals(Map.of("host", "api.anthropic.com", "auth_scheme", "Bearer", "token_env", "EGRESS_TOKEN_1",
                "outbound_on_match", "redact"), routes.get(0));
        Map<String, Object> gitea = routes.get(4);
        assertEquals(List.of("host", "auth_scheme", "token_env", "matches", "git", "dlp", "outbound_on_match"),
                List.copyOf(gitea.keySet()));
        assertEquals("token", gitea.get("auth_scheme"));
        assertEquals("EGRESS_TOKEN_2", gitea.get("token_env"));
        assertEquals(Map.of("fetch", true), gitea.get("git"));
        assertEquals(Map.of("outbound_detectors", List.of("token_patterns", "known_secrets"), "inbound_detectors", false),
                gitea.get("dlp"));
        assertEquals(List.of(
                Map.of("paths", List.of(Map.of("type", "prefix", "value", "/api/v1/")),
                        "methods", List.of("GET", "POST", "PATCH", "DELETE")),
                Map.of("paths", List.of(Map.of("type", "regex", "value", "^/[^/]+/[^/]+\\.git/info/refs$")),
                        "methods", List.of("GET"))), gitea.get("matches"));
        // no host variable name or value of a token ever reaches routes.yaml, only slot names
        assertEquals(-1, yaml.indexOf("BOT_BOTTLE_GITEA_TOKEN"));
    }

    @Test
    void logOffIsQuotedSoYaml11ReadersSeeAString() throws Exception {
        TestHome h = ExamplesTest.exampleHome(tmp);
        String yaml = RoutesYaml.render(h.builder().plan("gemini", "s").egress());
        Map<String, Object> root = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
        assertEquals("off", root.get("log"));
        assertEquals("""
                log: 'off'
                routes:
                  - host: generativelanguage.googleapis.com
                    auth_scheme: Bearer
                    token_env: EGRESS_TOKEN_1
                    outbound_on_match: redact
                  - host: storage.googleapis.com
                    matches:
                      - methods:
                          - GET
                    dlp:
                      outbound_detectors: false
                    outbound_on_match: block
                """, yaml);
    }
}
