package bot.bottle.egress.routes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import bot.bottle.egress.routes.RoutesConfig.AuthScheme;
import bot.bottle.egress.routes.RoutesConfig.Detectors;
import bot.bottle.egress.routes.RoutesConfig.LogLevel;
import bot.bottle.egress.routes.RoutesConfig.MatchType;
import bot.bottle.egress.routes.RoutesConfig.OnMatch;
import bot.bottle.egress.routes.RoutesConfig.Route;

class RoutesParserTest {

    static final String FULL = """
            log: blocks
            routes:
              - host: "API.GitHub.com."
                auth_scheme: "Bearer"
                token_env: "GH_TOKEN"
                matches:
                  - paths:
                      - {type: prefix, value: /repos/}
                      - {type: exact, value: /user}
                      - {type: regex, value: "/orgs/[a-z]+/repos"}
                    methods: [get, POST]
                    headers:
                      - {name: X-Api-Version, value: "2022-11-28"}
                      - {name: Accept, value: "application/", type: prefix}
                      - {name: X-Trace, value: "[0-9a-f]{8}", type: regex}
                git: {fetch: true}
                dlp:
                  outbound_detectors: [token_patterns, known_secrets]
                  inbound_detectors: false
                outbound_on_match: redact
              - host: pypi.org
            """;

    @Test
    void parsesEveryKeyOfTheSchema() {
        RoutesConfig c = RoutesParser.parse(FULL);
        assertEquals(LogLevel.BLOCKS, c.log());
        assertEquals(2, c.routes().size());
        Route r = c.route("api.github.com");
        assertEquals(AuthScheme.BEARER, r.authScheme());
        assertEquals("GH_TOKEN", r.tokenEnv());
        assertTrue(r.gitFetch());
        assertEquals(OnMatch.REDACT, r.onMatch());
        assertEquals(List.of("token_patterns", "known_secrets"), r.outbound().ids());
        assertEquals(Detectors.OFF, r.inbound());
        var m = r.matches().get(0);
        assertEquals(List.of("GET", "POST"), m.methods());
        assertEquals(MatchType.REGEX, m.paths().get(2).type());
        assertTrue(m.paths().get(2).test("/orgs/acme/repos"));
        assertFalse(m.paths().get(2).test("/orgs/acme/repos/x"), "regex must match the whole path");
        assertEquals("x-api-version", m.headers().get(0).name());
        assertEquals(MatchType.EXACT, m.headers().get(0).type());
        assertTrue(m.headers().get(1).test("application/json"));
        assertTrue(m.headers().get(2).test("deadbeef"));
        Route p = c.route("pypi.org");
        assertFalse(p.hasAuth());
        assertNull(p.onMatch());
        assertEquals(OnMatch.SUPERVISE, p.effectiveOnMatch());
        assertEquals(Detectors.DEFAULT, p.outbound());
    }

    @Test
    void roundTripsThroughTheIntrospectionShape() {
        RoutesConfig c = RoutesParser.parse(FULL);
        String json = RoutesJson.allowlist(c);
        // JSON is YAML: the output parses back to the same routes.
        RoutesConfig again = RoutesParser.parse(json);
        assertEquals(RoutesJson.allowlist(again), json);
        assertTrue(json.contains("\"token_env\":\"GH_TOKEN\""), json);
        assertTrue(json.startsWith("{\"routes\":[{\"host\":\"api.github.com\""), json);
    }

    @Test
    void logLevelsAcceptTheSeedForms() {
        assertEquals(LogLevel.OFF, RoutesParser.parse("log: off\nroutes: []\n").log());
        assertEquals(LogLevel.FULL, RoutesParser.parse("log: full\nroutes: []\n").log());
        assertEquals(LogLevel.FULL, RoutesParser.parse("log: true\nroutes: []\n").log());
        assertEquals(LogLevel.BLOCKS, RoutesParser.parse("log: 1\nroutes: []\n").log());
        assertEquals(LogLevel.OFF, RoutesParser.parse("routes: []\n").log());
        assertError("log: must be off, blocks or full", "log: loud\nroutes: []\n");
    }

    @Test
    void refusalsNameTheKeyPath() {
        assertError("other: unknown key", "other: []\n");
        assertError("routes: required key is missing", "log: off\n");
        assertError("routes: must be a list", "routes: \"not a list\"\n");
        assertError("not valid YAML at line 2", "routes:\n\t- host: x\n");
        assertError("routes[0].token_env: auth_scheme and token_env must be given together",
                "routes:\n  - host: x.example\n    auth_scheme: Bearer\n");
        assertError("routes[0].auth_scheme: auth_scheme and token_env must be given together",
                "routes:\n  - host: x.example\n    token_env: T\n");
        assertError("routes[0].auth_scheme: must be Bearer or token",
                "routes:\n  - host: x.example\n    auth_scheme: Basic\n    token_env: T\n");
        assertError("routes[0].colour: unknown key", "routes:\n  - host: x.example\n    colour: red\n");
        assertError("routes[0].role: reserved", "routes:\n  - host: x.example\n    role: claude\n");
        assertError("routes[0].matches[0].paths[0].type: must be one of prefix, exact or regex",
                "routes:\n  - host: x.example\n    matches:\n      - paths: [{type: glob, value: /x}]\n");
        assertError("routes[0].matches[0].paths[0].value: not a valid RE2 regex",
                "routes:\n  - host: x.example\n    matches:\n      - paths: [{type: regex, value: '(a'}]\n");
        assertError("routes[0].matches[0].paths[0].value: not a valid RE2 regex",
                "routes:\n  - host: x.example\n    matches:\n      - paths: [{type: regex, value: '(a)\\1'}]\n");
        assertError("routes[0].matches[0].headers[0].type: must be one of exact, prefix or regex",
                "routes:\n  - host: x.example\n    matches:\n      - headers: [{name: A, value: b, type: x}]\n");
        assertError("routes[0].matches[0].headers[0].value: required key is missing",
                "routes:\n  - host: x.example\n    matches:\n      - headers: [{name: A}]\n");
        assertError("routes[0].matches[0].extra: unknown key",
                "routes:\n  - host: x.example\n    matches:\n      - extra: 1\n");
        assertError("routes[0].git.fetch: must be true or false",
                "routes:\n  - host: x.example\n    git: {fetch: maybe}\n");
        assertError("routes[0].git.push: unknown key", "routes:\n  - host: x.example\n    git: {push: true}\n");
        assertError("routes[0].dlp.outbound_detectors: an empty list is ambiguous",
                "routes:\n  - host: x.example\n    dlp: {outbound_detectors: []}\n");
        assertError("routes[0].dlp.sideways: unknown key", "routes:\n  - host: x.example\n    dlp: {sideways: 1}\n");
        assertError("routes[0].outbound_on_match: must be block, redact or supervise",
                "routes:\n  - host: x.example\n    outbound_on_match: ignore\n");
        assertError("routes[1].host: duplicate host \"x.example\"",
                "routes:\n  - host: x.example\n  - host: X.Example.\n");
        assertError("routes[0].host: must be a string", "routes:\n  - host: 12\n");
        assertError("duplicate key", "routes:\n  - host: a.example\n    host: b.example\n");
        assertError("unknown key", "routes: []\nextra: 1\n");
    }

    @Test
    void hostsAreNamesNeverAddresses() {
        for (String bad : List.of("127.0.0.1", "[::1]", "::1", "2130706433", "0x7f.0.0.1", "user@example.com",
                "example.com:443", "ex ample.com", "bücher.de", "", "-a.example", "a..example")) {
            String yaml = "routes:\n  - host: \"" + bad + "\"\n";
            RoutesException e = assertThrows(RoutesException.class, () -> RoutesParser.parse(yaml), bad);
            assertTrue(e.getMessage().startsWith("routes[0].host: "), e.getMessage());
        }
        assertEquals("xn--bcher-kva.de", RoutesParser.parse("routes:\n  - host: XN--bcher-kva.DE.\n").routes().get(0).host());
        assertEquals("_egress.local", HostNames.normalise("_egress.local"));
    }

    @Test
    void hostileYamlIsRefusedNotExecuted() {
        assertError("not valid YAML", "routes: !!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[]]]\n");
        // a billion laughs: aliases are capped
        StringBuilder b = new StringBuilder("a: &a [x,x,x,x,x,x,x,x,x,x]\n");
        for (char c = 'b'; c <= 'k'; c++) {
            b.append(c).append(": &").append(c).append(" [");
            for (int i = 0; i < 10; i++) {
                b.append(i == 0 ? "" : ",").append('*').append((char) (c - 1));
            }
            b.append("]\n");
        }
        b.append("routes: []\n");
        assertThrows(RoutesException.class, () -> RoutesParser.parse(b.toString()));
    }

    @Test
    void validatorServiceReturnsHostsInFileOrder() {
        assertEquals(List.of("api.github.com", "pypi.org"), new RoutesValidatorImpl().validate(FULL));
        assertThrows(IllegalArgumentException.class, () -> new RoutesValidatorImpl().validate("routes: 1\n"));
    }

    @Test
    void errorMessagesAreOneLine() {
        RoutesException e = assertThrows(RoutesException.class,
                () -> RoutesParser.parse("routes:\n  - host: \"a\\nb\"\n"));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    private static void assertError(String expected, String yaml) {
        RoutesException e = assertThrows(RoutesException.class, () -> RoutesParser.parse(yaml));
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
}
