package bot.bottle.manifest.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import bot.bottle.api.plan.BottlePlan;
import bot.bottle.api.plan.EgressRoute;

class ExtendsTest {
    @TempDir
    Path tmp;

    private static final String BASE = """
            ---
            agent_provider:
              template: claude
              auth_token: CLAUDE_TOKEN
            env:
              A: base
              B: base
            skills: [one]
            git_user: {name: Base, email: base@example.com}
            git:
              repos:
                site: {upstream: "git@h.example:base/site.git", ssh_key: k, known_hosts: kh}
            egress:
              log: blocks
              routes:
                - host: a.example
                  matches: [{methods: [GET]}]
                - host: b.example
            ---
            base body
            """;

    @Test
    void childOverridesScalarsMergesMapsAppendsListsAndMergesRoutesByHost() throws Exception {
        TestHome h = new TestHome(tmp).skill("one").skill("two")
                .bottle("base", BASE)
                .bottle("child", """
                        ---
                        extends: base
                        agent_provider:
                          forward_host_credentials: true
                        env:
                          B: child
                          C: child
                        skills: [two, one]
                        git:
                          repos:
                            site: {upstream: "git@h.example:child/site.git", ssh_key: k, known_hosts: kh}
                            docs: {upstream: "ssh://git@h.example/docs.git", ssh_key: k, known_hosts: kh}
                        egress:
                          routes:
                            - host: c.example
                            - host: a.example
                              outbound_on_match: block
                        supervise: true
                        ---
                        """)
                .agent("dev", "---\nbottle: child\n---\n");
        Files.writeString(h.home.resolve("bottles/k"), "deploy key stand-in\n");
        Files.writeString(h.home.resolve("bottles/kh"), "h.example ssh-ed25519 AAAAstand-in\n");
        BottlePlan p = h.builder().plan("dev", "s");
        assertEquals("claude", p.provider().id());
        assertEquals("CLAUDE_TOKEN", p.provider().authTokenRef());
        assertEquals(true, p.provider().forwardHostCredentials());
        assertEquals("base", p.env().get("A"));
        assertEquals("child", p.env().get("B"));
        assertEquals("child", p.env().get("C"));
        assertEquals(List.of("one", "two"), p.skills());
        assertEquals("Base", p.gitUser().name());
        assertEquals(List.of("site", "docs"), p.gitRepos().stream().map(r -> r.name()).collect(Collectors.toList()));
        assertEquals("git@h.example:child/site.git", p.gitRepos().get(0).upstream());
        assertEquals("blocks", p.egress().log());
        List<String> hosts = p.egress().routes().stream().map(EgressRoute::host).collect(Collectors.toList());
        // provider first; base order kept with a.example replaced in place; new host appended
        assertEquals(List.of("api.anthropic.com", "a.example", "b.example", "c.example"), hosts);
        EgressRoute a = p.egress().routes().get(1);
        assertEquals("block", a.outboundOnMatch());
        assertEquals(List.of(), a.matches(), "a child route replaces the base route whole");
        assertEquals(List.of("agents/dev.md", "bottles/base.md", "bottles/child.md"), p.sources());
    }

    @Test
    void multipleBasesApplyLeftToRight() {
        TestHome h = new TestHome(tmp)
                .bottle("p", "---\nagent_provider: {template: codex}\nenv: {X: p}\n---\n")
                .bottle("q", "---\nenv: {X: q, Y: q}\nsupervise: false\n---\n")
                .bottle("r", "---\nextends: [p, q]\n---\n")
                .agent("dev", "---\nbottle: r\n---\n");
        BottlePlan plan = h.builder().plan("dev", "s");
        assertEquals("codex", plan.provider().id());
        assertEquals("q", plan.env().get("X"));
        assertEquals(false, plan.supervise());
    }

    @Test
    void cycleIsRefusedWithTheChainNamed() {
        TestHome h = new TestHome(tmp)
                .bottle("a", "---\nextends: b\nagent_provider: {template: claude}\n---\n")
                .bottle("b", "---\nextends: c\n---\n")
                .bottle("c", "---\nextends: a\n---\n")
                .agent("dev", "---\nbottle: a\n---\n");
        ManifestException e = assertThrows(ManifestException.class, () -> h.builder().plan("dev", "s"));
        assertEquals("bottles/c.md:2: extends: cycle: a -> b -> c -> a", e.report());
    }

    @Test
    void selfExtendIsACycle() {
        TestHome h = new TestHome(tmp).bottle("a", "---\nextends: a\n---\n").agent("dev", "---\nbottle: a\n---\n");
        ManifestException e = assertThrows(ManifestException.class, () -> h.builder().plan("dev", "s"));
        assertEquals("bottles/a.md:2: extends: cycle: a -> a", e.report());
    }

    @Test
    void missingBaseIsRefusedWithTheChainNamed() {
        TestHome h = new TestHome(tmp)
                .bottle("a", "---\nextends: b\n---\n")
                .bottle("b", "---\nextends: [nope]\n---\n")
                .agent("dev", "---\nbottle: a\n---\n");
        ManifestException e = assertThrows(ManifestException.class, () -> h.builder().plan("dev", "s"));
        assertEquals("bottles/b.md:2: extends[0]: no bottle \"nope\" in " + h.home.resolve("bottles")
                + " (chain: a -> b -> nope)", e.report());
    }

    @Test
    void errorsInEveryFileOfTheChainAreReported() {
        TestHome h = new TestHome(tmp)
                .bottle("a", "---\nextends: [b, c]\nsupervise: maybe\n---\n")
                .bottle("b", "---\nenv: {HTTP_PROXY: x}\n---\n")
                .bottle("c", "---\negress: {log: loud}\n---\n")
                .agent("dev", "---\nbottle: a\n---\n");
        ManifestException e = assertThrows(ManifestException.class, () -> h.builder().plan("dev", "s"));
        assertEquals("bottles/a.md:3: supervise: expected true or false, got \"maybe\"", e.report());
        // a's own problems stop before its bases are read; fix a and b, c are reported together
        h.bottle("a", "---\nextends: [b, c]\n---\n");
        e = assertThrows(ManifestException.class, () -> h.builder().plan("dev", "s"));
        assertEquals("""
                bottles/b.md:2: env.HTTP_PROXY: reserved: the bottle sets this variable itself
                bottles/c.md:2: egress.log: expected off|blocks|full, got "loud\"""", e.report());
    }

    @Test
    void templateMissingAfterCompositionIsNamed() {
        TestHome h = new TestHome(tmp)
                .bottle("b", "---\nsupervise: true\n---\n")
                .bottle("a", "---\nextends: b\n---\n")
                .agent("dev", "---\nbottle: a\n---\n");
        ManifestException e = assertThrows(ManifestException.class, () -> h.builder().plan("dev", "s"));
        assertEquals("bottles/a.md:1: agent_provider.template: missing required key (not set by bottle"
                + " \"a\" or the bottles it extends)", e.report());
    }

    @Test
    void chainDeeperThanTheLimitIsRefused() {
        TestHome h = new TestHome(tmp);
        for (int i = 0; i < 12; i++) {
            h.bottle("b" + i, "---\nextends: b" + (i + 1) + "\n---\n");
        }
        h.bottle("b12", "---\nagent_provider: {template: claude}\n---\n").agent("dev", "---\nbottle: b0\n---\n");
        ManifestException e = assertThrows(ManifestException.class, () -> h.builder().plan("dev", "s"));
        assertEquals("bottles/b8.md:2: extends: extends chain deeper than 8 (b0 -> b1 -> b2 -> b3 -> b4 -> b5"
                + " -> b6 -> b7 -> b8 -> b9)", e.report());
    }
}
