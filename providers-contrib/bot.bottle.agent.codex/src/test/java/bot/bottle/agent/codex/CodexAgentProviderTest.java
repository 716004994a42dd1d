package bot.bottle.agent.codex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import bot.bottle.api.agent.AgentProvider;
import bot.bottle.api.agent.ProviderRequest;
import bot.bottle.api.agent.ProviderRoute;
import bot.bottle.api.agent.ProviderSetup;

class CodexAgentProviderTest {
    static final String URL = "http://sidecar:9100/mcp";
    static final String SECRET = "eyJhbGciOiJSUzI1NiJ9.real-access-token-value.sig";

    @TempDir
    Path tmp;

    /** A host ~/.codex/auth.json as `codex login --device-auth` leaves it. */
    static Path hostLogin(Path codexHome, String access) throws Exception {
        Files.createDirectories(codexHome);
        String claims = "{\"https://api.openai.com/auth\":{\"chatgpt_account_id\":\"acct_123\",\"chatgpt_plan_type\":\"pro\"}}";
        String id = "eyJhbGciOiJub25lIn0." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(claims.getBytes(StandardCharsets.UTF_8)) + ".x";
        Path f = codexHome.resolve("auth.json");
        Files.writeString(f, "{\"OPENAI_API_KEY\":null,\"tokens\":{\"id_token\":\"" + id + "\",\"access_token\":\""
                + access + "\",\"refresh_token\":\"real-refresh\",\"account_id\":\"acct_123\"},\"last_refresh\":\"2026-01-01T00:00:00Z\"}");
        return f;
    }

    private CodexAgentProvider provider() {
        Path codexHome = tmp.resolve("codex-home");
        return new CodexAgentProvider(k -> k.equals("CODEX_HOME") ? codexHome.toString() : null, tmp.resolve("home"));
    }

    @Test
    void apiKeyBecomesABearerRouteThePlaceholderAndALogin() {
        ProviderSetup s = provider().setup(new ProviderRequest("BOT_BOTTLE_OPENAI_KEY", false, URL));
        assertEquals(List.of(new ProviderRoute("api.openai.com", "Bearer", "BOT_BOTTLE_OPENAI_KEY", "redact")), s.routes());
        assertEquals(Map.of("OPENAI_API_KEY", AgentProvider.PLACEHOLDER), s.env());
        assertTrue(s.setupCommands().stream().anyMatch(c -> c.contains("printenv OPENAI_API_KEY | codex login --with-api-key")));
        assertEquals("codex mcp add supervise --url " + URL, s.setupCommands().get(s.setupCommands().size() - 1));
        assertEquals(List.of("codex"), s.command());
    }

    @Test
    void forwardingAddsTheChatGptRouteThroughTheSlotAndNeverTheValue() throws Exception {
        hostLogin(tmp.resolve("codex-home"), SECRET);
        CodexAgentProvider p = provider();
        ProviderRequest r = new ProviderRequest("", true, URL);
        ProviderSetup s = p.setup(r);
        assertTrue(s.routes().contains(new ProviderRoute("chatgpt.com", "Bearer",
                CodexAgentProvider.CODEX_HOST_CREDENTIAL_TOKEN_REF, "redact")), s.routes().toString());
        assertFalse(s.toString().contains(SECRET), "the access token is in no part of the setup");
        assertFalse(s.toString().contains("real-refresh"));
        assertTrue(s.toString().contains("acct_123"), "the account id is repeated for the placeholder login");
        assertEquals(Map.of(CodexAgentProvider.CODEX_HOST_CREDENTIAL_TOKEN_REF, SECRET), p.hostCredentials(r));
        assertEquals(Map.of(), p.hostCredentials(new ProviderRequest("", false, URL)));
    }

    @Test
    void forwardingWithoutALoginFailsNamingTheFile() throws Exception {
        CodexAgentProvider p = provider();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> p.setup(new ProviderRequest("", true, URL)));
        assertTrue(e.getMessage().contains(tmp.resolve("codex-home/auth.json").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("codex login --device-auth"), e.getMessage());

        Files.createDirectories(tmp.resolve("codex-home"));
        Files.writeString(tmp.resolve("codex-home/auth.json"), "{\"tokens\": {\"access_token\": \"" + SECRET + "\"");
        e = assertThrows(IllegalStateException.class, () -> p.hostCredentials(new ProviderRequest("", true, URL)));
        assertTrue(e.getMessage().contains("not readable JSON"), e.getMessage());
        assertFalse(e.getMessage().contains(SECRET), "a parse error never quotes the file");

        Files.writeString(tmp.resolve("codex-home/auth.json"), "{\"OPENAI_API_KEY\":\"sk-x\",\"tokens\":null}");
        e = assertThrows(IllegalStateException.class, () -> p.setup(new ProviderRequest("", true, URL)));
        assertTrue(e.getMessage().contains("no ChatGPT login"), e.getMessage());
    }

    @Test
    void defaultAuthFileIsInTheUsersHome() {
        CodexAgentProvider p = new CodexAgentProvider(k -> null, tmp);
        assertEquals(tmp.resolve(".codex/auth.json"), p.authFile());
    }

    @Test
    void placeholderLoginIsValidJsonWrittenByTheShell() throws Exception {
        hostLogin(tmp.resolve("codex-home"), SECRET);
        ProviderSetup s = provider().setup(new ProviderRequest("", true, ""));
        Path home = Files.createDirectories(tmp.resolve("agent-home"));
        Files.createDirectories(home.resolve(".codex"));
        String cmd = s.setupCommands().stream().filter(c -> c.contains("auth.json")).findFirst().orElseThrow();
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", cmd).redirectErrorStream(true);
        pb.environment().put("HOME", home.toString());
        Process p2 = pb.start();
        assertTrue(p2.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, p2.exitValue(), new String(p2.getInputStream().readAllBytes()));
        JsonNode auth = new ObjectMapper().readTree(Files.readString(home.resolve(".codex/auth.json")));
        assertEquals("chatgpt", auth.get("auth_mode").asText());
        assertEquals("acct_123", auth.get("tokens").get("account_id").asText());
        Instant refreshed = Instant.parse(auth.get("last_refresh").asText());
        assertTrue(Duration.between(refreshed, Instant.now()).abs().toMinutes() < 5, "last_refresh is the start time");
        String claims = new String(Base64.getUrlDecoder().decode(auth.get("tokens").get("id_token").asText().split("\\.")[1]),
                StandardCharsets.UTF_8);
        assertTrue(claims.contains("\"chatgpt_plan_type\":\"pro\""), claims);
        assertFalse(Files.readString(home.resolve(".codex/auth.json")).contains(SECRET));
    }

    @Test
    void recipeInstallsTheCodexCliFromTheBase() {
        String df = provider().setup(new ProviderRequest("", false, "")).dockerfile();
        assertTrue(df.startsWith("#") && df.contains("ARG BASE=bot-bottle/base:bookworm\nFROM ${BASE} AS build"));
        assertTrue(df.contains("\"@openai/codex@${CODEX_VERSION}\""));
        assertTrue(df.contains("ln -s " + AgentProvider.SKILLS_DIR + " /home/agent/.codex/skills"));
    }
}
