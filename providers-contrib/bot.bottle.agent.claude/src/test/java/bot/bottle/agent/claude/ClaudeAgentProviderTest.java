package bot.bottle.agent.claude;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import bot.bottle.api.agent.AgentProvider;
import bot.bottle.api.agent.ProviderRequest;
import bot.bottle.api.agent.ProviderRoute;
import bot.bottle.api.agent.ProviderSetup;

class ClaudeAgentProviderTest {
    private static final String URL = "http://sidecar:9100/mcp";
    private final ClaudeAgentProvider p = new ClaudeAgentProvider();

    @Test
    void tokenBecomesABearerRouteAndThePlaceholder() {
        ProviderSetup s = p.setup(new ProviderRequest("BOT_BOTTLE_CLAUDE_OAUTH_TOKEN", false, URL));
        assertEquals(List.of(new ProviderRoute("api.anthropic.com", "Bearer", "BOT_BOTTLE_CLAUDE_OAUTH_TOKEN", "redact")),
                s.routes());
        assertEquals(AgentProvider.PLACEHOLDER, s.env().get("CLAUDE_CODE_OAUTH_TOKEN"));
        assertEquals(List.of("claude"), s.command());
        assertEquals("claude", p.id());
    }

    @Test
    void thePromptStartsTheSessionAndCannotBecomeAnOption() {
        assertEquals(List.of("claude"), p.setup(new ProviderRequest("T", false, URL)).command());
        assertEquals(List.of("claude", "--", "--dangerously-skip-permissions fix it"),
                p.setup(new ProviderRequest("T", false, URL, "--dangerously-skip-permissions fix it\n")).command());
    }

    @Test
    void registersSuperviseWithTheDocumentedCommand() {
        ProviderSetup s = p.setup(new ProviderRequest("T", false, URL));
        assertTrue(s.setupCommands().contains("claude mcp add --transport http supervise " + URL + " --scope user"),
                s.setupCommands().toString());
        ProviderSetup off = p.setup(new ProviderRequest("T", false, ""));
        assertTrue(off.setupCommands().stream().noneMatch(c -> c.contains("mcp")), off.setupCommands().toString());
    }

    @Test
    void aHostileUrlStaysOneShellWord() {
        ProviderSetup s = p.setup(new ProviderRequest("T", false, "http://x/'; touch /tmp/pwned; '"));
        String add = s.setupCommands().stream().filter(c -> c.startsWith("claude mcp add")).findFirst().orElseThrow();
        assertTrue(add.contains("'http://x/'\\''; touch /tmp/pwned; '\\'''"), add);
    }

    @Test
    void noTokenMeansARouteWithoutInjectionAndNoPlaceholder() {
        ProviderSetup s = p.setup(new ProviderRequest("", false, URL));
        assertEquals(List.of(new ProviderRoute("api.anthropic.com", "", "", "redact")), s.routes());
        assertFalse(s.env().containsKey("CLAUDE_CODE_OAUTH_TOKEN"));
    }

    @Test
    void envHoldsNoSecretOnlyThePlaceholderAndSettings() {
        ProviderSetup s = p.setup(new ProviderRequest("BOT_BOTTLE_CLAUDE_OAUTH_TOKEN", false, URL));
        assertEquals(Map.of("CLAUDE_CODE_OAUTH_TOKEN", AgentProvider.PLACEHOLDER,
                "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1", "DISABLE_AUTOUPDATER", "1"), s.env());
        // The token's variable name is only in the route, never in what the agent runs or sees.
        assertTrue(s.setupCommands().stream().noneMatch(c -> c.contains("BOT_BOTTLE_CLAUDE_OAUTH_TOKEN")));
    }

    @Test
    void recipeBuildsFromTheConfigurableBaseAndLinksSkills() {
        String df = p.setup(new ProviderRequest("", false, "")).dockerfile();
        assertTrue(df.contains("ARG BASE=bot-bottle/base:bookworm\nFROM ${BASE} AS build"), df);
        assertTrue(df.contains("\nFROM ${BASE}\n"), "final stage from the same base");
        assertTrue(df.contains("ARG " + AgentProvider.BUILD_CA_ARG + "=\"\""), "build CA argument");
        assertTrue(df.contains("@anthropic-ai/claude-code@${CLAUDE_CODE_VERSION}"));
        assertTrue(df.contains("ln -s " + AgentProvider.SKILLS_DIR + " /home/agent/.claude/skills"));
        assertTrue(df.contains("USER agent"));
        assertFalse(df.contains("docker.io") || df.contains("FROM node") || df.contains("FROM debian"),
                "no registry image");
    }
}
