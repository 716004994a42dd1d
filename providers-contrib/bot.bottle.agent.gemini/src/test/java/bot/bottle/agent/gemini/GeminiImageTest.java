package bot.bottle.agent.gemini;

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
 * The Gemini CLI's image on the real engine: builds once, {@code gemini --version} runs, setup registers
 * the supervise server and links skills, and {@code gemini -p}'s first request reaches a stand-in
 * {@code generativelanguage.googleapis.com} through the egress proxy with the injected key and never the
 * placeholder. Skipped, with the reason, without an engine or base image.
 */
class GeminiImageTest {
    private static final String URL = "http://sidecar:9100/mcp";
    private static final String TOKEN_REF = "BOT_BOTTLE_GEMINI_API_KEY";
    private static final GeminiAgentProvider PROVIDER = new GeminiAgentProvider();
    private static AgentImages.Built image;

    @TempDir
    Path tmp;

    @BeforeAll
    static void build() {
        if (AgentImages.unavailable().isPresent()) {
            return; // each test reports the reason as its skip
        }
        image = AgentImages.ensure("gemini", PROVIDER.setup(new ProviderRequest("", false, "")).dockerfile());
    }

    @BeforeEach
    void engineAndBase() {
        Loopback.assumeImages();
    }

    @Test
    void cliStartsInTheImage() {
        Docker.Result r = Docker.run(List.of("run", "--rm", "--network", "none", image.tag(), "gemini", "--version"), null, 120)
                .orThrow("gemini --version");
        assertTrue(PROVIDER.setup(new ProviderRequest("", false, "")).dockerfile()
                .contains("ARG GEMINI_CLI_VERSION=" + r.output().strip()), "the pinned version runs: " + r.output());
    }

    @Test
    void setupRegistersSuperviseAndLinksSkills() throws Exception {
        Path skill = Files.createDirectories(tmp.resolve("skills/summarise"));
        Files.writeString(skill.resolve("SKILL.md"), "---\nname: summarise\ndescription: test skill\n---\n");
        ProviderSetup s = PROVIDER.setup(new ProviderRequest(TOKEN_REF, false, URL));
        List<String> args = new ArrayList<>(List.of("run", "--rm", "--network", "none",
                "-v", skill + ":" + AgentProvider.SKILLS_DIR + "/summarise:ro", image.tag()));
        // twice: a resumed bottle runs setup again over the same home
        List<String> twice = new ArrayList<>(s.setupCommands());
        twice.addAll(s.setupCommands());
        args.addAll(ProxiedCli.agentCommand(twice, List.of("sh", "-c",
                "cat ~/.gemini/settings.json; cat ~/.gemini/skills/summarise/SKILL.md")));
        Docker.Result r = Docker.run(args, null, 180).orThrow("setup");
        assertTrue(r.output().contains("\"supervise\"") && r.output().contains("\"url\": \"" + URL + "\""), r.output());
        assertTrue(r.output().contains("\"selectedType\": \"gemini-api-key\""), r.output());
        assertTrue(r.output().contains("name: summarise"), r.output());
    }

    @Test
    void firstApiRequestCarriesTheInjectedKeyNotThePlaceholder() throws Exception {
        String real = Loopback.token("AIza");
        ProviderSetup s = PROVIDER.setup(new ProviderRequest(TOKEN_REF, false, URL));
        InetAddress addr = Loopback.fresh();
        String host = GeminiAgentProvider.API_HOST;
        try (StandInApi api = StandInApi.start(host, addr, tmp, 401);
             ProxiedCli cli = ProxiedCli.start(tmp, s, Map.of(TOKEN_REF, real), api, host, addr)) {
            ProxiedCli.Run run = cli.run(image.tag(), s, List.of("sh", "-c", "exec gemini -p 'Say hello.' < /dev/null"),
                    () -> !api.seen().isEmpty(), 120);
            List<StandInApi.Seen> seen = api.seen();
            String diag = "\ncontainer:\n" + Docker.tail(run.logs(), 3000) + "\negress:\n" + String.join("\n", cli.egressLog())
                    + "\nseen: " + seen;
            assertFalse(seen.isEmpty(), "the stand-in for " + host + " got a request" + diag);
            System.out.println("stand-in " + host + " saw: " + seen.stream().map(x -> x.method() + " " + x.path()).toList());
            assertEquals("Bearer " + real, seen.get(0).header("authorization"), "key injected by the proxy" + diag);
            assertEquals("", seen.get(0).header("x-goog-api-key"), "the SDK's own key header stays empty" + diag);
            for (StandInApi.Seen x : seen) {
                for (var h : x.headers().entrySet()) {
                    for (String v : h.getValue()) {
                        assertFalse(v.contains(AgentProvider.PLACEHOLDER), "placeholder leaked in " + h.getKey() + diag);
                    }
                }
                assertFalse(x.path().contains(AgentProvider.PLACEHOLDER), "placeholder in the query" + diag);
            }
            assertFalse(run.logs().contains(real), "the agent never sees the real key");
        }
    }
}
