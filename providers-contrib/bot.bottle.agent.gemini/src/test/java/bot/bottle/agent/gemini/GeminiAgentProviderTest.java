package bot.bottle.agent.gemini;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import bot.bottle.api.agent.AgentProvider;
import bot.bottle.api.agent.ProviderRequest;
import bot.bottle.api.agent.ProviderRoute;
import bot.bottle.api.agent.ProviderSetup;

class GeminiAgentProviderTest {
    private final GeminiAgentProvider p = new GeminiAgentProvider();

    @Test
    void thePromptGoesToPromptInteractiveAsOneValue() {
        GeminiAgentProvider p = new GeminiAgentProvider();
        assertEquals(List.of("gemini"), p.setup(new ProviderRequest("T", false, "")).command());
        // positional words after "--" are not read as the query by gemini's parser: the option is
        assertEquals(List.of("gemini", "--prompt-interactive=--yolo summarise"),
                p.setup(new ProviderRequest("T", false, "", "--yolo summarise")).command());
    }

    @Test
    void apiKeyTravelsAsABearerThatTheProxyReplaces() {
        ProviderSetup s = p.setup(new ProviderRequest("BOT_BOTTLE_GEMINI_API_KEY", false, "http://sidecar:9100/mcp"));
        assertEquals(List.of(new ProviderRoute("generativelanguage.googleapis.com", "Bearer", "BOT_BOTTLE_GEMINI_API_KEY",
                "redact")), s.routes());
        assertEquals(Map.of("GEMINI_API_KEY", AgentProvider.PLACEHOLDER, "GEMINI_API_KEY_AUTH_MECHANISM", "bearer",
                "GEMINI_CLI_CUSTOM_HEADERS", "x-goog-api-key:", "GEMINI_CLI_TRUST_WORKSPACE", "true"), s.env());
        assertEquals("gemini mcp add --scope user --transport http supervise http://sidecar:9100/mcp",
                s.setupCommands().get(s.setupCommands().size() - 1));
        assertEquals(List.of("gemini"), s.command());
    }

    @Test
    void withoutTokenOrSuperviseNothingIsInjectedOrRegistered() {
        ProviderSetup s = p.setup(new ProviderRequest("", false, ""));
        assertEquals(List.of(new ProviderRoute("generativelanguage.googleapis.com", "", "", "redact")), s.routes());
        assertEquals(Map.of("GEMINI_CLI_TRUST_WORKSPACE", "true"), s.env());
        assertTrue(s.setupCommands().stream().noneMatch(c -> c.contains("mcp") || c.contains("selectedType")));
    }

    @Test
    void recipeInstallsTheGeminiCliFromTheBase() {
        String df = p.setup(new ProviderRequest("", false, "")).dockerfile();
        assertTrue(df.contains("ARG BASE=bot-bottle/base:bookworm\nFROM ${BASE} AS build"));
        assertTrue(df.contains("\"@google/gemini-cli@${GEMINI_CLI_VERSION}\""));
        assertTrue(df.contains("ln -s " + AgentProvider.SKILLS_DIR + " /home/agent/.gemini/skills"));
    }
}
