package bot.bottle.agent.claude;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
 * Claude Code's image on the real engine: it builds from the provider's recipe (once per run; an
 * unchanged recipe is reused), the CLI starts, setup registers the supervise MCP server and links the
 * skills, and the CLI's first API request leaves through the egress proxy carrying the injected token
 * and never the placeholder. Skipped, with the reason, where there is no engine or no base image.
 */
class ClaudeImageTest {
    private static final String TOKEN_REF = "BOT_BOTTLE_CLAUDE_OAUTH_TOKEN";
    private static final ClaudeAgentProvider PROVIDER = new ClaudeAgentProvider();
    private static AgentImages.Built image;

    @TempDir
    Path tmp;

    @BeforeAll
    static void build() {
        if (AgentImages.unavailable().isPresent()) {
            return; // each test reports the reason as its skip
        }
        image = AgentImages.ensure("claude", PROVIDER.setup(new ProviderRequest("", false, "")).dockerfile());
    }

    @BeforeEach
    void engineAndBase() {
        Loopback.assumeImages();
    }

    private static String pinnedVersion(String dockerfile) {
        Matcher m = Pattern.compile("ARG CLAUDE_CODE_VERSION=(\\S+)").matcher(dockerfile);
        assertTrue(m.find());
        return m.group(1);
    }

    @Test
    void cliStartsInTheImage() {
        Docker.Result r = Docker.run("run", "--rm", "--network", "none", image.tag(), "claude", "--version").orThrow("claude --version");
        String version = pinnedVersion(PROVIDER.setup(new ProviderRequest("", false, "")).dockerfile());
        assertTrue(r.output().contains(version + " (Claude Code)"), r.output());
        Docker.Result who = Docker.run("run", "--rm", "--network", "none", image.tag(), "id", "-un").orThrow("id");
        assertEquals("agent", who.output().strip(), "the agent runs unprivileged");
    }

    @Test
    void setupRegistersSuperviseAndLinksSkills() throws Exception {
        Path skill = Files.createDirectories(tmp.resolve("skills/release-notes"));
        Files.writeString(skill.resolve("SKILL.md"), "---\nname: release-notes\ndescription: test skill\n---\nbody\n");
        ProviderSetup s = PROVIDER.setup(new ProviderRequest(TOKEN_REF, false, "http://sidecar:9100/mcp"));
        List<String> args = new ArrayList<>(List.of("run", "--rm", "--network", "none",
                "-v", skill + ":" + AgentProvider.SKILLS_DIR + "/release-notes:ro", image.tag()));
        // As a bottle's own image without the link would be: setup must make it.
        List<String> setup = new ArrayList<>(List.of("rm \"$HOME/.claude/skills\""));
        setup.addAll(s.setupCommands());
        args.addAll(ProxiedCli.agentCommand(setup, List.of("sh", "-c",
                "claude mcp list; echo ---; cat ~/.claude.json; echo ---; cat ~/.claude/skills/release-notes/SKILL.md")));
        Docker.Result r = Docker.run(args, null, 120).orThrow("setup");
        assertTrue(r.output().contains("\"supervise\"") && r.output().contains("\"url\": \"http://sidecar:9100/mcp\""),
                "supervise is in the user config:\n" + r.output());
        assertTrue(r.output().contains("\"type\": \"http\""), r.output());
        assertTrue(r.output().contains("name: release-notes\ndescription: test skill"),
                "skill visible at ~/.claude/skills:\n" + r.output());
    }

    @Test
    void firstApiRequestCarriesTheInjectedTokenNotThePlaceholder() throws Exception {
        String real = Loopback.token("sk-ant-oat01-");
        InetAddress addr = Loopback.fresh();
        ProviderSetup s = PROVIDER.setup(new ProviderRequest(TOKEN_REF, false, "http://sidecar:9100/mcp"));
        try (StandInApi api = StandInApi.start(ClaudeAgentProvider.API_HOST, addr, tmp, 401);
             ProxiedCli cli = ProxiedCli.start(tmp, s, Map.of(TOKEN_REF, real), api, ClaudeAgentProvider.API_HOST, addr)) {
            ProxiedCli.Run run = cli.run(image.tag(), s, 
                    // print mode reads stdin when it is not a terminal: give it an empty one
                    List.of("sh", "-c", "exec claude -p 'Say hello.' < /dev/null"),
                    () -> !api.seen().isEmpty(), 90);
            List<StandInApi.Seen> seen = api.seen();
            String diag = "\ncontainer:\n" + Docker.tail(run.logs(), 3000) + "\negress:\n"
                    + String.join("\n", cli.egressLog()) + "\nseen: " + seen;
            assertFalse(seen.isEmpty(), "the stand-in for api.anthropic.com got a request" + diag);
            StandInApi.Seen first = seen.get(0);
            System.out.println("stand-in saw: " + seen.stream().map(x -> x.method() + " " + x.path()).toList());
            assertEquals("Bearer " + real, first.header("authorization"), "token injected by the proxy" + diag);
            for (StandInApi.Seen x : seen) {
                for (var h : x.headers().entrySet()) {
                    for (String v : h.getValue()) {
                        assertFalse(v.contains(AgentProvider.PLACEHOLDER), "placeholder leaked in " + h.getKey() + diag);
                    }
                }
                assertFalse(x.path().contains(AgentProvider.PLACEHOLDER), diag);
            }
            assertFalse(run.logs().contains(real), "the agent never sees the real token");
        }
    }
}
