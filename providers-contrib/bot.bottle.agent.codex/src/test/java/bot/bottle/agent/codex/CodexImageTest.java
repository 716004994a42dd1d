package bot.bottle.agent.codex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import bot.bottle.agent.testing.AgentImages;
import bot.bottle.agent.testing.Docker;
import bot.bottle.agent.testing.Loopback;
import bot.bottle.agent.testing.ProxiedCli;
import bot.bottle.agent.testing.StandInApi;
import bot.bottle.api.agent.AgentProvider;
import bot.bottle.api.agent.ProviderRequest;
import bot.bottle.api.agent.ProviderSetup;

/**
 * The Codex CLI's image on the real engine: builds once, {@code codex --version} runs, setup registers
 * the supervise server, and {@code codex exec}'s first request reaches a stand-in API host through the
 * egress proxy with the injected credential, for an API key ({@code api.openai.com}) and for the
 * forwarded host ChatGPT login ({@code chatgpt.com}). Skipped, with the reason, without an engine or base.
 */
class CodexImageTest {
    private static final String URL = "http://sidecar:9100/mcp";
    private static AgentImages.Built image;

    @TempDir
    Path tmp;

    @BeforeAll
    static void build() {
        if (AgentImages.unavailable().isPresent()) {
            return; // each test reports the reason as its skip
        }
        image = AgentImages.ensure("codex", new CodexAgentProvider().setup(new ProviderRequest("", false, "")).dockerfile());
    }

    @BeforeEach
    void engineAndBase() {
        Loopback.assumeImages();
    }

    @Test
    void cliStartsInTheImage() {
        Docker.Result r = Docker.run("run", "--rm", "--network", "none", image.tag(), "codex", "--version").orThrow("codex --version");
        assertTrue(r.output().strip().matches("codex-cli \\d+\\.\\d+\\.\\d+"), r.output());
        assertTrue(new CodexAgentProvider().setup(new ProviderRequest("", false, "")).dockerfile()
                .contains("ARG CODEX_VERSION=" + r.output().strip().substring("codex-cli ".length())), "the pinned version runs");
    }

    @Test
    void setupRegistersSuperviseAndLinksSkills() throws Exception {
        Path skill = Files.createDirectories(tmp.resolve("skills/triage"));
        Files.writeString(skill.resolve("SKILL.md"), "---\nname: triage\ndescription: test skill\n---\n");
        ProviderSetup s = new CodexAgentProvider().setup(new ProviderRequest("BOT_BOTTLE_OPENAI_KEY", false, URL));
        List<String> args = new ArrayList<>(List.of("run", "--rm", "--network", "none", "-e", "OPENAI_API_KEY=" + AgentProvider.PLACEHOLDER,
                "-v", skill + ":" + AgentProvider.SKILLS_DIR + "/triage:ro", image.tag()));
        args.addAll(ProxiedCli.agentCommand(s.setupCommands(), List.of("sh", "-c",
                "cat ~/.codex/config.toml; codex login status; cat ~/.codex/skills/triage/SKILL.md")));
        Docker.Result r = Docker.run(args, null, 120).orThrow("setup");
        assertTrue(r.output().contains("[mcp_servers.supervise]\nurl = \"" + URL + "\""), r.output());
        assertTrue(r.output().contains("name: triage"), r.output());
        assertTrue(r.output().contains("API key"), "logged in with the placeholder key: " + r.output());
    }

    private void assertInjected(ProviderSetup s, Map<String, String> values, String host, String real, String placeholderToken)
            throws Exception {
        InetAddress addr = Loopback.fresh();
        try (StandInApi api = StandInApi.start(host, addr, tmp, 401);
             ProxiedCli cli = ProxiedCli.start(tmp, s, values, api, host, addr)) {
            ProxiedCli.Run run = cli.run(image.tag(), s, List.of("sh", "-c",
                    "exec codex exec --skip-git-repo-check 'Say hello.' < /dev/null"), () -> !api.seen().isEmpty(), 90);
            List<StandInApi.Seen> seen = api.seen();
            String diag = "\ncontainer:\n" + Docker.tail(run.logs(), 3000) + "\negress:\n" + String.join("\n", cli.egressLog())
                    + "\nseen: " + seen;
            assertFalse(seen.isEmpty(), "the stand-in for " + host + " got a request" + diag);
            System.out.println("stand-in " + host + " saw: " + seen.stream().map(x -> x.method() + " " + x.path()).toList());
            assertEquals("Bearer " + real, seen.get(0).header("authorization"), "token injected by the proxy" + diag);
            for (StandInApi.Seen x : seen) {
                for (var h : x.headers().entrySet()) {
                    for (String v : h.getValue()) {
                        assertFalse(v.contains(AgentProvider.PLACEHOLDER) || v.contains(placeholderToken),
                                "placeholder leaked in " + h.getKey() + diag);
                    }
                }
            }
            assertFalse(run.logs().contains(real), "the agent never sees the real token");
        }
    }

    @Test
    void apiKeyRequestCarriesTheInjectedKey() throws Exception {
        String real = Loopback.token("sk-proj-");
        ProviderSetup s = new CodexAgentProvider().setup(new ProviderRequest("BOT_BOTTLE_OPENAI_KEY", false, URL));
        assertInjected(s, Map.of("BOT_BOTTLE_OPENAI_KEY", real), CodexAgentProvider.API_HOST, real, AgentProvider.PLACEHOLDER);
    }

    @Test
    void forwardedHostLoginReachesChatGptWithTheHostToken() throws Exception {
        String real = Loopback.token("eyJhbGciOiJSUzI1NiJ9.host-");
        Path codexHome = tmp.resolve("host-codex");
        CodexAgentProviderTest.hostLogin(codexHome, real);
        CodexAgentProvider p = new CodexAgentProvider(k -> k.equals("CODEX_HOME") ? codexHome.toString() : null, tmp);
        ProviderRequest r = new ProviderRequest("", true, URL);
        ProviderSetup s = p.setup(r);
        // What the launcher does: the provider's host credentials fill the token slots.
        assertInjected(s, p.hostCredentials(r), CodexAgentProvider.CHATGPT_HOST, real,
                CodexAgentProvider.placeholderJwt("acct_123", "pro"));
    }
}
