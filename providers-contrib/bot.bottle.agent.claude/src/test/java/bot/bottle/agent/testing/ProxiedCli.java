package bot.bottle.agent.testing;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import bot.bottle.api.agent.ProviderRoute;
import bot.bottle.api.agent.ProviderSetup;
import bot.bottle.dlp.engine.DlpScannerImpl;
import bot.bottle.egress.proxy.EgressServer;
import bot.bottle.egress.proxy.ResolvePin;

/**
 * One agent CLI run behind the real egress proxy, as in a bottle but on the host network: the proxy
 * (in this JVM, on 127.0.0.1) serves the provider's routes with the real token in its own environment
 * only, pins the API host to a {@link StandInApi}, and the container gets exactly the agent's settings a
 * bottle gives it: {@code HTTPS_PROXY}, the bottle CA in {@code NODE_EXTRA_CA_CERTS} and
 * {@code SSL_CERT_FILE}, the provider's env (placeholders) and its setup commands before its command.
 */
public final class ProxiedCli implements AutoCloseable {
    /** Where the bottle CA is in the agent, as the Docker backend places it. */
    public static final String AGENT_CA = "/etc/bot-bottle/ca.crt";

    private final EgressServer egress;
    private final List<String> egressLog = new CopyOnWriteArrayList<>();
    private final Path caCert;

    private ProxiedCli(Path dir, ProviderSetup setup, Map<String, String> tokenValues, StandInApi api,
            String apiHost, InetAddress apiAddress) throws Exception {
        Map<String, String> slots = new LinkedHashMap<>();
        StringBuilder yaml = new StringBuilder("log: blocks\nroutes:\n");
        for (ProviderRoute r : setup.routes()) {
            yaml.append("  - host: ").append(r.host()).append('\n');
            if (!r.authScheme().isEmpty()) {
                String slot = slots.computeIfAbsent(r.tokenRef(), k -> "EGRESS_TOKEN_" + (slots.size() + 1));
                yaml.append("    auth_scheme: ").append(r.authScheme()).append('\n');
                yaml.append("    token_env: ").append(slot).append('\n');
            }
            yaml.append("    outbound_on_match: ").append(r.outboundOnMatch().isEmpty() ? "redact" : r.outboundOnMatch())
                    .append('\n');
        }
        Path routes = dir.resolve("routes.yaml");
        Files.writeString(routes, yaml);
        Map<String, String> env = new LinkedHashMap<>();
        slots.forEach((ref, slot) -> {
            String v = tokenValues.get(ref);
            if (v != null) {
                env.put(slot, v);
            }
        });
        Path state = Files.createDirectories(dir.resolve("egress"));
        egress = EgressServer.builder().routesFile(routes).stateDir(state)
                .listen(new InetSocketAddress("127.0.0.1", 0))
                .upstreamCa(api.caPem())
                .resolve(ResolvePin.parse(apiHost + ":443:" + apiAddress.getHostAddress()))
                .env(env::get)
                // The real DLP engine (no pattern detectors): the proxy's own token-reflection checks run.
                .scanner(() -> new DlpScannerImpl(Map.of()))
                .logSink(egressLog::add)
                .build().start();
        caCert = egress.caCertificate();
    }

    public static ProxiedCli start(Path dir, ProviderSetup setup, Map<String, String> tokenValues, StandInApi api,
            String apiHost, InetAddress apiAddress) throws Exception {
        return new ProxiedCli(dir, setup, tokenValues, api, apiHost, apiAddress);
    }

    public int proxyPort() {
        return egress.address().getPort();
    }

    public List<String> egressLog() {
        return List.copyOf(egressLog);
    }

    /** The output of a finished or stopped run. */
    public record Run(String container, String logs) {
    }

    /**
     * Runs the provider's setup commands and then {@code command} in {@code image}, detached; returns
     * as soon as {@code done} holds or {@code timeoutSeconds} pass, then removes the container.
     */
    public Run run(String image, ProviderSetup setup, List<String> command, java.util.function.BooleanSupplier done,
            long timeoutSeconds) throws InterruptedException {
        String name = "bot-bottle-itest-" + UUID.randomUUID().toString().substring(0, 8);
        String proxy = "http://127.0.0.1:" + proxyPort();
        // "sidecar" (the supervise MCP server's host) names a loopback address where nothing listens, so
        // the CLI's MCP connection fails at once instead of waiting on a DNS lookup of the host network.
        List<String> args = new ArrayList<>(List.of("run", "-d", "--name", name, "--network", "host",
                "--add-host", "sidecar:" + Loopback.fresh().getHostAddress(),
                "-v", caCert.toAbsolutePath() + ":" + AGENT_CA + ":ro"));
        Map<String, String> env = new LinkedHashMap<>(setup.env());
        for (String k : List.of("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")) {
            env.put(k, proxy);
        }
        env.put("NO_PROXY", "localhost,sidecar");
        env.put("no_proxy", "localhost,sidecar");
        env.put("NODE_EXTRA_CA_CERTS", AGENT_CA);
        env.put("SSL_CERT_FILE", AGENT_CA);
        env.forEach((k, v) -> {
            args.add("-e");
            args.add(k + "=" + v);
        });
        args.add(image);
        args.addAll(agentCommand(setup.setupCommands(), command));
        Docker.run(args, null, 60).orThrow("docker run " + image);
        try {
            long deadline = System.currentTimeMillis() + timeoutSeconds * 1000;
            while (System.currentTimeMillis() < deadline && !done.getAsBoolean()) {
                String state = Docker.run("inspect", "--format", "{{.State.Running}}", name).output().strip();
                if (!state.equals("true")) {
                    Thread.sleep(300); // a request may still be in flight in the proxy
                    break;
                }
                Thread.sleep(200);
            }
            return new Run(name, Docker.run("logs", name).output());
        } finally {
            Docker.run("rm", "-f", name);
        }
    }

    /** Setup commands then the command, in one shell, as the Docker backend starts the agent. */
    public static List<String> agentCommand(List<String> setupCommands, List<String> command) {
        if (setupCommands.isEmpty()) {
            return command;
        }
        List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c",
                String.join(" && ", setupCommands) + " && exec \"$@\"", "bot-bottle-agent"));
        cmd.addAll(command);
        return cmd;
    }

    @Override
    public void close() {
        egress.close();
    }
}
