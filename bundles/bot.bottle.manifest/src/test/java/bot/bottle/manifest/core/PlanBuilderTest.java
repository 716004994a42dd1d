package bot.bottle.manifest.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import bot.bottle.api.agent.ProviderRequest;
import bot.bottle.api.agent.ProviderRoute;
import bot.bottle.api.agent.ProviderSetup;
import bot.bottle.api.plan.BottlePlan;
import bot.bottle.api.plan.EgressRoute;
import bot.bottle.api.plan.HeaderMatch;
import bot.bottle.api.plan.MatchRule;
import bot.bottle.api.plan.PathMatch;
import bot.bottle.api.plan.TokenSlot;

class PlanBuilderTest {
    @TempDir
    Path tmp;

    /** A provider "acme" contributing two routes, one with an explicit policy, and a placeholder. */
    static ProviderCatalog acme(List<ProviderRoute> routes, Map<String, String> env) {
        return new ProviderCatalog() {
            @Override
            public Set<String> ids() {
                return Set.of("acme");
            }

            @Override
            public Setup setup(String id, ProviderRequest r) {
                return id.equals("acme") ? new Setup("service", new ProviderSetup("FROM scratch\n", routes, env,
                        List.of("acme init " + r.superviseUrl()), List.of("acme", "--yes"))) : null;
            }
        };
    }

    private PlanBuilder builder(TestHome h, ProviderCatalog p) {
        return new PlanBuilder(new Catalog(h.home, null, new ManifestParser(p.ids())), p);
    }

    @Test
    void providerRoutesWinTheirHostDefaultToRedactAndShareSlotsByTokenRef() {
        TestHome h = new TestHome(tmp).bottle("b", """
                ---
                agent_provider: {template: acme, auth_token: ACME_TOKEN}
                egress:
                  routes:
                    - host: api.acme.example
                      matches: [{methods: [GET]}]
                    - host: git.example
                      auth: {scheme: token, token_ref: GIT_TOKEN}
                    - host: mirror.example
                      auth: {scheme: Bearer, token_ref: ACME_TOKEN}
                    - host: plain.example
                ---
                """).agent("a", "---\nbottle: b\n---\n");
        ProviderCatalog p = acme(List.of(
                new ProviderRoute("api.acme.example", "Bearer", "ACME_TOKEN", ""),
                new ProviderRoute("telemetry.acme.example", "", "", "block")), Map.of("ACME_KEY", "placeholder"));
        BottlePlan plan = builder(h, p).plan("a", "slug1");
        List<EgressRoute> r = plan.egress().routes();
        assertEquals(List.of("api.acme.example", "telemetry.acme.example", "git.example", "mirror.example",
                "plain.example"), r.stream().map(EgressRoute::host).toList());
        assertEquals("provider:acme", r.get(0).origin());
        assertEquals("redact", r.get(0).outboundOnMatch(), "provider default");
        assertEquals(List.of(), r.get(0).matches(), "the manifest route for the provider host is dropped");
        assertEquals("block", r.get(1).outboundOnMatch(), "an explicit provider policy is kept");
        assertEquals("supervise", r.get(2).outboundOnMatch(), "manifest default");
        assertEquals("EGRESS_TOKEN_1", r.get(0).tokenEnv());
        assertEquals("EGRESS_TOKEN_2", r.get(2).tokenEnv());
        assertEquals("EGRESS_TOKEN_1", r.get(3).tokenEnv(), "same host variable, same slot");
        assertEquals("", r.get(4).tokenEnv());
        assertEquals(List.of(new TokenSlot("EGRESS_TOKEN_1", "ACME_TOKEN"), new TokenSlot("EGRESS_TOKEN_2", "GIT_TOKEN")),
                plan.tokenSlots());
        assertEquals(List.of("bottles/b.md:5: egress.routes[0]: route for api.acme.example is replaced by"
                + " provider acme's route"), plan.warnings());
        assertEquals(Map.of("ACME_KEY", "placeholder"), plan.env());
        assertEquals("FROM scratch\n", plan.image().recipe());
        assertEquals(List.of("acme init " + PlanBuilder.SUPERVISE_URL), plan.setupCommands());
        assertEquals(List.of("acme", "--yes"), plan.command());
        assertEquals("service", plan.provider().source());
        assertEquals("bot-bottle-slug1-internal", plan.networks().internal());
    }

    @Test
    void superviseOffDefaultsRoutesToBlockAndRefusesAnExplicitSupervise() {
        TestHome h = new TestHome(tmp).bottle("b", """
                ---
                agent_provider: {template: claude}
                supervise: false
                egress:
                  routes:
                    - host: a.example
                    - host: b.example
                      outbound_on_match: supervise
                ---
                """).agent("a", "---\nbottle: b\n---\n");
        ManifestException e = assertThrows(ManifestException.class, () -> h.builder().plan("a", "s"));
        assertEquals("bottles/b.md:8: egress.routes[1].outbound_on_match: supervise needs the supervise sidecar,"
                + " but the bottle sets supervise: false", e.report());
        h.bottle("b", "---\nagent_provider: {template: claude}\nsupervise: false\negress:\n  routes:\n    - host: a.example\n---\n");
        BottlePlan p = h.builder().plan("a", "s");
        assertEquals("block", p.egress().routes().get(1).outboundOnMatch());
        assertEquals(List.of(), p.setupCommands(), "no supervise MCP registration without the sidecar");
    }

    @Test
    void superviseDefaultsToTrue() {
        TestHome h = new TestHome(tmp).bottle("b", "---\nagent_provider: {template: claude}\n---\n")
                .agent("a", "---\nbottle: b\n---\n");
        assertTrue(h.builder().plan("a", "s").supervise());
    }

    @Test
    void planTimeProblemsAreAllReportedWithTheirLines() {
        TestHome h = new TestHome(tmp).bottle("b", """
                ---
                agent_provider:
                  template: acme
                  dockerfile: missing/Dockerfile
                env:
                  ACME_KEY: mine
                skills: [nope]
                git:
                  repos:
                    site: {upstream: "git@h.example:x.git", ssh_key: keys/none, known_hosts: keys/kh}
                ---
                """).agent("a", "---\nbottle: b\nskills: [gone]\n---\n");
        ProviderCatalog p = acme(List.of(), Map.of("ACME_KEY", "placeholder"));
        ManifestException e = assertThrows(ManifestException.class, () -> builder(h, p).plan("a", "s"));
        Path dir = h.home.resolve("bottles");
        assertEquals(String.join("\n",
                "bottles/b.md:4: agent_provider.dockerfile: file not found: " + dir.resolve("missing/Dockerfile"),
                "bottles/b.md:6: env.ACME_KEY: set by provider acme; remove it from the bottle",
                "bottles/b.md:7: skills[0]: no skill folder " + h.home.resolve("skills/nope"),
                "bottles/b.md:10: git.repos.site.ssh_key: file not found: " + dir.resolve("keys/none"),
                "bottles/b.md:10: git.repos.site.known_hosts: file not found: " + dir.resolve("keys/kh"),
                "agents/a.md:3: skills[0]: no skill folder " + h.home.resolve("skills/gone")), e.report());
    }

    @Test
    void aBrokenProviderIsNamed() {
        TestHome h = new TestHome(tmp).bottle("b", "---\nagent_provider: {template: acme}\n---\n")
                .agent("a", "---\nbottle: b\n---\n");
        ProviderCatalog p = acme(List.of(new ProviderRoute("https://x", "Basic", "", "")), Map.of("HTTPS_PROXY", "x"));
        ManifestException e = assertThrows(ManifestException.class, () -> builder(h, p).plan("a", "s"));
        assertEquals("""
                provider:acme: routes[0].host: not a valid host name: "https://x"
                provider:acme: env.HTTPS_PROXY: reserved or invalid variable name""", e.report());
    }

    @Test
    void everyKeyIsCarriedIntoThePlan() {
        TestHome h = new TestHome(tmp).skill("s1").skill("s2")
                .write(tmp.resolve("home/bottles/Dockerfile.custom"), "FROM alpine\n")
                .write(tmp.resolve("home/keys/gate"), "key\n")
                .write(tmp.resolve("home/keys/known_hosts"), "h ssh-ed25519 AAAA\n")
                .bottle("all", """
                        ---
                        agent_provider:
                          template: codex
                          auth_token: OPENAI_TOKEN
                          dockerfile: Dockerfile.custom
                          forward_host_credentials: true
                        env:
                          PLAIN: text
                          NUMBER: 42
                          FLAG: true
                        skills: [s1]
                        git_user: {name: "Bot User", email: bot@example.com}
                        git:
                          repos:
                            site:
                              upstream: ssh://git@h.example/site.git
                              ssh_key: ../keys/gate
                              known_hosts: ../keys/known_hosts
                        egress:
                          log: full
                          routes:
                            - host: API.Example.COM.
                              auth: {scheme: Bearer, token_ref: API_TOKEN}
                              matches:
                                - paths:
                                    - {value: /v1/}
                                    - {type: exact, value: /health}
                                    - {type: regex, value: '^/v2/[a-z]+$'}
                                  methods: [get, POST]
                                  headers:
                                    - {name: X-Env, value: prod}
                                    - {name: Accept, value: application/, type: prefix}
                                    - {name: X-Id, value: '^[0-9]+$', type: regex}
                                - methods: [DELETE]
                              git: {fetch: true}
                              dlp:
                                outbound_detectors: [token_patterns]
                                inbound_detectors: false
                              outbound_on_match: redact
                        supervise: true
                        ---
                        The body.
                        """)
                .agent("a", "---\nbottle: all\nskills: [s2, s1]\n---\nDo the thing.\n");
        BottlePlan p = h.builder().plan("a", "s");
        assertEquals("codex", p.provider().id());
        assertEquals("OPENAI_TOKEN", p.provider().authTokenRef());
        assertTrue(p.provider().forwardHostCredentials());
        assertEquals("dockerfile", p.image().kind());
        assertEquals(h.home.resolve("bottles/Dockerfile.custom").toString(), p.image().dockerfile());
        assertEquals("text", p.env().get("PLAIN"));
        assertEquals("42", p.env().get("NUMBER"));
        assertEquals("true", p.env().get("FLAG"));
        assertEquals("bot-bottle-placeholder", p.env().get("OPENAI_API_KEY"));
        assertEquals(List.of("s1", "s2"), p.skills());
        assertEquals(2, p.mounts().size());
        assertEquals("Bot User", p.gitUser().name());
        assertEquals(h.home.resolve("keys/gate").toString(), p.gitRepos().get(0).sshKey());
        assertEquals(h.home.resolve("keys/known_hosts").toString(), p.gitRepos().get(0).knownHosts());
        assertEquals("full", p.egress().log());
        EgressRoute r = p.egress().routes().stream().filter(x -> x.host().equals("api.example.com")).findFirst().orElseThrow();
        assertEquals("Bearer", r.authScheme());
        assertEquals(List.of(
                new MatchRule(List.of(new PathMatch("prefix", "/v1/"), new PathMatch("exact", "/health"),
                        new PathMatch("regex", "^/v2/[a-z]+$")), List.of("GET", "POST"),
                        List.of(new HeaderMatch("X-Env", "prod", "exact"), new HeaderMatch("Accept", "application/", "prefix"),
                                new HeaderMatch("X-Id", "^[0-9]+$", "regex"))),
                new MatchRule(List.of(), List.of("DELETE"), List.of())), r.matches());
        assertTrue(r.gitFetch());
        assertEquals(List.of("token_patterns"), r.outboundDetectors());
        assertEquals(List.of(), r.inboundDetectors());
        assertEquals("redact", r.outboundOnMatch());
        assertTrue(p.supervise());
        assertEquals("Do the thing.", p.prompt());
        // codex with forwarded host credentials adds the chatgpt.com route with its own slot
        assertTrue(p.egress().routes().stream().anyMatch(x -> x.host().equals("chatgpt.com")));
        assertTrue(p.tokenSlots().stream().anyMatch(t -> t.tokenRef().equals(BuiltinProviders.CODEX_HOST_CREDENTIAL_TOKEN_REF)));
    }

    @Test
    void noGitUserIsNull() {
        TestHome h = new TestHome(tmp).bottle("b", "---\nagent_provider: {template: gemini}\n---\n")
                .agent("a", "---\nbottle: b\nprompt: Go.\n---\n");
        BottlePlan p = h.builder().plan("a", "s");
        assertNull(p.gitUser());
        assertEquals("Go.", p.prompt());
        assertEquals("off", p.egress().log());
    }
}
