package bot.bottle.providers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import bot.bottle.agent.testing.Docker;
import bot.bottle.agent.testing.Loopback;
import bot.bottle.agent.testing.StandInApi;
import bot.bottle.itests.BottleRuns;

/**
 * Each provider started the way a user starts it: {@code bot-bottle start <agent>} through the real
 * launcher and distribution, on the real engine, with the real sidecar. The agent's prompt reaches the
 * CLI, whose first request to its API host leaves through the sidecar's egress proxy and arrives at a
 * local stand-in for that host (route override for tests: the sidecar pins the host to the stand-in
 * with {@code bot.bottle.egress.resolve} and trusts its CA through {@code bot.bottle.docker.upstream.ca})
 * carrying the injected token and never the placeholder; the supervise MCP server is in the CLI's own
 * config; the agent's environment holds no token; stopping the launcher removes the bottle. Gemini comes
 * as a signed contrib bundle dropped into {@code contrib/}, not from the distribution.
 */
class ProviderBottleTest {
    private static final String MCP_URL = "http://sidecar:9100/mcp";
    private static final String PLACEHOLDER = "bot-bottle-placeholder";

    @TempDir
    Path tmp;

    private InetAddress bridge;

    @BeforeEach
    void engine() throws Exception {
        Loopback.assumeImages();
        Path launcher = BottleRuns.launcher();
        assumeTrue(Files.isExecutable(launcher) && Files.isDirectory(BottleRuns.dist().resolve("bundle")),
                "no built distribution at " + BottleRuns.dist() + " (build the launcher module first)");
        bridge = BottleRuns.bridgeAddress().orElse(null);
        assumeTrue(bridge != null, "no docker0 bridge with an IPv4 address: the stand-in listens there");
    }

    @Test
    void claudeStartsInABottle() throws Exception {
        String real = Loopback.token("sk-ant-oat01-");
        run(new Provider("claude", "api.anthropic.com", "  auth_token: BOT_BOTTLE_CLAUDE_OAUTH_TOKEN\n",
                Map.of("BOT_BOTTLE_CLAUDE_OAUTH_TOKEN", real), real, "cat ~/.claude.json", "\"supervise\""), null);
    }

    @Test
    void codexStartsInABottle() throws Exception {
        String real = Loopback.token("sk-proj-");
        run(new Provider("codex", "api.openai.com", "  auth_token: BOT_BOTTLE_OPENAI_API_KEY\n",
                Map.of("BOT_BOTTLE_OPENAI_API_KEY", real), real, "cat ~/.codex/config.toml", "[mcp_servers.supervise]", 503),
                null);
    }

    /**
     * {@code forward_host_credentials}: the token comes from the host's Codex login file, read by the
     * provider at launch ({@code AgentProvider.hostCredentials}), not from any variable the launcher has.
     */
    @Test
    void codexForwardsTheHostLoginInABottle() throws Exception {
        String real = Loopback.token("eyJhbGciOiJSUzI1NiJ9.host-");
        Path codexHome = Files.createDirectories(tmp.resolve("host-codex"));
        Files.writeString(codexHome.resolve("auth.json"), "{\"auth_mode\":\"chatgpt\",\"tokens\":{\"access_token\":\""
                + real + "\",\"account_id\":\"acct_123\",\"id_token\":\"\",\"refresh_token\":\"r\"}}\n");
        run(new Provider("codex", "chatgpt.com", "  forward_host_credentials: true\n",
                Map.of("CODEX_HOME", codexHome.toString()), real, "cat ~/.codex/config.toml; cat ~/.codex/auth.json",
                "[mcp_servers.supervise]", 401, false), null);
    }

    @Test
    void geminiArrivesAsContribAndStartsInABottle() throws Exception {
        Path jar = Path.of(System.getProperty("bot.bottle.gemini.bundle", "")).toAbsolutePath();
        assertTrue(Files.isRegularFile(jar), "the packaged gemini contrib bundle " + jar);
        String real = Loopback.token("AIza");
        run(new Provider("gemini", "generativelanguage.googleapis.com", "  auth_token: BOT_BOTTLE_GEMINI_API_KEY\n",
                Map.of("BOT_BOTTLE_GEMINI_API_KEY", real), real, "cat ~/.gemini/settings.json", "\"supervise\""), jar);
    }

    /**
     * @param providerYaml the bottle's {@code agent_provider} keys after {@code template}
     * @param hostEnv      the launcher's extra environment (where token values come from)
     * @param real         the credential the stand-in must receive
     * @param status       what the stand-in answers: 401 ends a session's first turn with an error the
     *                     CLI shows; codex logs out on a 401 from its ChatGPT backend and exits, so its
     *                     stand-ins answer 503, which it retries while the test looks around
     * @param staysUp      whether the CLI keeps its session after the stand-in's answer, so the test can
     *                     look inside the running bottle; codex with a forwarded ChatGPT login exits when
     *                     its account lookup fails (no stand-in can answer it), so that case checks what
     *                     reached the stand-in and what the agent printed, and the API-key case the rest
     */
    private record Provider(String id, String apiHost, String providerYaml, Map<String, String> hostEnv, String real,
            String configCommand, String mcpMarker, int status, boolean staysUp) {
        Provider(String id, String apiHost, String providerYaml, Map<String, String> hostEnv, String real,
                String configCommand, String mcpMarker) {
            this(id, apiHost, providerYaml, hostEnv, real, configCommand, mcpMarker, 401, true);
        }

        Provider(String id, String apiHost, String providerYaml, Map<String, String> hostEnv, String real,
                String configCommand, String mcpMarker, int status) {
            this(id, apiHost, providerYaml, hostEnv, real, configCommand, mcpMarker, status, true);
        }
    }

    private void run(Provider p, Path contribJar) throws Exception {
        Path home = Files.createDirectories(tmp.resolve("home"));
        String agent = "pb-" + p.id();
        Files.createDirectories(home.resolve("bottles"));
        Files.createDirectories(home.resolve("agents"));
        Files.writeString(home.resolve("bottles/" + agent + ".md"), "---\nagent_provider:\n  template: " + p.id()
                + "\n" + p.providerYaml() + "---\nA " + p.id() + " bottle.\n");
        Files.writeString(home.resolve("agents/" + agent + ".md"), "---\nbottle: " + agent + "\n---\nSay hello.\n");
        if (contribJar != null) {
            BottleRuns.dropSigned(home, contribJar, p.id(), tmp);
        }
        String real = p.real();
        Path log = tmp.resolve("start.out");
        try (StandInApi api = StandInApi.start(p.apiHost(), bridge, Files.createDirectories(tmp.resolve("api")), p.status())) {
            ProcessBuilder pb = new ProcessBuilder(BottleRuns.launcher().toString(), "start", agent)
                    .redirectErrorStream(true).redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
            pb.environment().put("BOT_BOTTLE_HOME", home.toString());
            pb.environment().put("BOT_BOTTLE_DIST", BottleRuns.dist().toString());
            pb.environment().putAll(p.hostEnv());
            pb.environment().put("BOT_BOTTLE_UPSTREAM_CA", api.caPem().toString());
            pb.environment().put("BOT_BOTTLE_JAVA_OPTS", "-Dbot.bottle.docker.sidecar.opts=-Dbot.bottle.egress.resolve="
                    + p.apiHost() + ":443:" + bridge.getHostAddress());
            Process start = pb.start();
            String slug = null;
            try {
                boolean seen = BottleRuns.await(() -> !api.seen().isEmpty() || !start.isAlive(), 300_000);
                String out = Files.readString(log, StandardCharsets.UTF_8);
                slug = slugOf(agent);
                String diag = "\nlauncher:\n" + Docker.tail(out, 4000) + "\nsidecar:\n"
                        + (slug == null ? "(none)" : Docker.tail(Docker.run("logs", "bot-bottle-" + slug + "-sidecar").output(), 3000));
                assertTrue(seen && !api.seen().isEmpty(), "the stand-in for " + p.apiHost() + " got a request" + diag);
                java.util.regex.Matcher ready = java.util.regex.Pattern.compile("bot-bottle: (" + agent
                        + "-[0-9a-f]{6}) ready").matcher(out);
                assertTrue(ready.find(), "the bottle became ready" + diag);
                slug = ready.group(1);

                StandInApi.Seen first = api.seen().get(0);
                assertEquals("Bearer " + real, first.header("authorization"), "the token injected by the proxy" + diag);
                for (StandInApi.Seen x : api.seen()) {
                    x.headers().forEach((k, vs) -> vs.forEach(v -> assertFalse(v.contains(PLACEHOLDER),
                            "placeholder forwarded in " + k)));
                    assertFalse(x.path().contains(PLACEHOLDER));
                }
                assertFalse(out.contains(real), "the agent's terminal never shows the token" + diag);
                if (p.staysUp()) {
                    lookInside(p, start, agent, slug, real, log, diag);
                }
            } finally {
                start.destroy(); // SIGTERM, as Ctrl-C without a terminal: the launcher tears the bottle down
                if (!start.waitFor(90, TimeUnit.SECONDS)) {
                    start.destroyForcibly();
                }
            }
            String left = Docker.run("ps", "-a", "-q", "--filter", "label=bot-bottle.slug=" + slug).output().strip();
            assertEquals("", left, "containers of " + slug + " left behind");
        }
    }

    /** While the CLI runs: the bottle is listed, and inside it the CLI's config, environment and arguments. */
    private static void lookInside(Provider p, Process start, String agent, String slug, String real, Path log,
            String diag) throws Exception {
        assertTrue(start.isAlive(), "the CLI keeps running in its session" + diag);
        assertEquals(slug, slugOf(agent), "a running agent container for " + agent + diag);

        Process list = new ProcessBuilder(BottleRuns.launcher().toString(), "list", "--running", "--format=json")
                .redirectErrorStream(true).start();
        String listed = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(list.waitFor(60, TimeUnit.SECONDS));
        assertTrue(listed.contains("\"slug\" : \"" + slug + "\"") && listed.contains("\"state\" : \"running\""),
                "bot-bottle list --running shows the bottle: " + listed + "\nlauncher now (alive "
                        + start.isAlive() + "):\n" + Docker.tail(Files.readString(log, StandardCharsets.UTF_8), 3000));

        String agentName = "bot-bottle-" + slug + "-agent";
        Docker.Result config = Docker.run("exec", agentName, "sh", "-c", p.configCommand());
        assertTrue(config.output().contains(p.mcpMarker()) && config.output().contains(MCP_URL),
                "supervise registered in the CLI's config:\n" + config.output());
        Docker.Result env = Docker.run("exec", agentName, "env");
        assertEquals(0, env.status(), env.output());
        assertFalse(env.output().contains(real), "the agent's environment holds no token");
        assertFalse(config.output().contains(real), "the CLI's config holds no token");
        assertTrue((env.output() + config.output()).contains(PLACEHOLDER),
                "the agent has a placeholder credential:\n" + env.output() + config.output());
        Docker.Result ps = Docker.run("exec", agentName, "ps", "-eo", "args");
        assertTrue(ps.output().contains(p.id()) && ps.output().contains("Say hello."),
                "the CLI runs with the agent's prompt:\n" + ps.output());
    }

    /** The slug of the running agent container of {@code agent} ({@code <agent>-<6 hex>}), or null. */
    private static String slugOf(String agent) {
        Docker.Result r = Docker.run("ps", "--filter", "label=bot-bottle.role=agent", "--format",
                "{{.Label \"bot-bottle.slug\"}}");
        for (String s : r.output().split("\\s+")) {
            if (s.matches(java.util.regex.Pattern.quote(agent) + "-[0-9a-f]{6}")) {
                return s;
            }
        }
        return null;
    }

}
