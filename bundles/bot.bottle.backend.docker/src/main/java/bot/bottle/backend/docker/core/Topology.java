package bot.bottle.backend.docker.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

import bot.bottle.api.plan.BottlePlan;
import bot.bottle.api.plan.GitRepo;
import bot.bottle.api.plan.TokenSlot;

/**
 * The containers of one bottle, as data. Security rules live here:
 * <ul>
 * <li>token values go into the sidecar's environment only, never into argv, files or the agent;</li>
 * <li>the agent's proxy, CA trust, canary and git rewrites are environment variables, so nothing in
 * the agent image has to change;</li>
 * <li>the agent's DNS upstream is an address where nothing answers, so only the sidecar's name
 * resolves (from {@code /etc/hosts}); there is no route out of the internal network anyway.</li>
 * </ul>
 */
public final class Topology {
    /** The agent's DNS upstream: its own loopback, where nothing listens on port 53. */
    public static final String NO_DNS = "127.0.0.1";
    /** The JVM's property list of the sidecar's services, handed to the launcher script. */
    public static final String JAVA_OPTS_ENV = "BOT_BOTTLE_JAVA_OPTS";
    /** The sidecar kernel's early listeners ({@code KernelService.LISTEN}; the backend does not import the kernel). */
    static final String LISTEN_PROPERTY = "bot.bottle.kernel.listen";

    private Topology() {
    }

    /**
     * The token values the sidecar gets, read from the host environment now. A missing or empty host
     * variable fails the launch: a bottle whose provider cannot authenticate would only fail later
     * and less clearly.
     */
    public static Map<String, String> tokenValues(BottlePlan plan, Function<String, String> hostEnv) {
        Map<String, String> values = new TreeMap<>();
        for (TokenSlot slot : plan.tokenSlots()) {
            String v = hostEnv.apply(slot.tokenRef());
            if (v == null || v.isEmpty()) {
                throw new IllegalStateException("host variable " + slot.tokenRef()
                        + " is not set (bottle " + plan.bottle() + " needs it for " + slot.slot() + ")");
            }
            values.put(slot.slot(), v);
        }
        return values;
    }

    /**
     * The sidecar container: on the egress network (the internal one is connected afterwards with the
     * alias {@value Layout#SIDECAR_HOST}), the state directory mounted, tokens and the canary in its
     * environment, its services switched on by framework properties. It runs as {@code user}, the
     * owner of the state directory, so it reads and writes that directory without any capability
     * (it runs with none).
     */
    public static ContainerSpec sidecar(BottlePlan plan, String hostStateDir, String image,
            Map<String, String> tokens, String canary, String user, String extraOpts) {
        return sidecar(plan, hostStateDir, image, tokens, canary, user, extraOpts, null);
    }

    /**
     * @param hostTrustDir the host's {@code trust/} (certificates contrib bundles must be signed by),
     *                     mounted read-only so the sidecar verifies its contrib detectors as the host
     *                     does; null when the host trusts nothing (then the sidecar loads no contrib)
     */
    public static ContainerSpec sidecar(BottlePlan plan, String hostStateDir, String image,
            Map<String, String> tokens, String canary, String user, String extraOpts, String hostTrustDir) {
        String slug = plan.slug();
        String state = Layout.sidecarState(slug);
        List<String> props = new ArrayList<>();
        // the class-data archive the sidecar image's training run wrote (ignored by a JVM that cannot use it)
        props.add("-XX:SharedArchiveFile=/opt/bot-bottle/sidecar.jsa");
        props.add("-Dbot.bottle.egress.routes=" + state + "/egress/routes.yaml");
        props.add("-Dbot.bottle.egress.state=" + state + "/egress");
        props.add("-Dbot.bottle.egress.listen=0.0.0.0:" + Layout.EGRESS_PORT);
        if (plan.supervise()) {
            props.add("-Dbot.bottle.supervise.state=" + state);
            props.add("-Dbot.bottle.supervise.listen=0.0.0.0:" + Layout.SUPERVISE_PORT);
        }
        if (!plan.gitRepos().isEmpty()) {
            props.add("-Dbot.bottle.gitgate.config=" + state + "/gitgate/config.json");
        }
        // The kernel binds the services' ports before the framework starts and hands each to its service:
        // the agent's connections wait in the backlog from the sidecar's first moments (kernel API 1.1).
        List<String> listen = new ArrayList<>();
        listen.add("tcp:0.0.0.0:" + Layout.EGRESS_PORT);
        if (plan.supervise()) {
            listen.add("http:0.0.0.0:" + Layout.SUPERVISE_PORT);
        }
        if (!plan.gitRepos().isEmpty()) {
            listen.add("http:0.0.0.0:" + Layout.GITGATE_PORT);
        }
        props.add("-D" + LISTEN_PROPERTY + "=" + String.join(",", listen));
        if (extraOpts != null && !extraOpts.isBlank()) {
            props.add(extraOpts.strip());
        }
        List<String> env = new ArrayList<>();
        env.add("BOT_BOTTLE_HOME=" + Layout.SIDECAR_HOME);
        env.add(JAVA_OPTS_ENV + "=" + String.join(" ", props));
        env.add(plan.canary().sidecarEnv() + "=" + canary);
        tokens.forEach((k, v) -> env.add(k + "=" + v));
        List<String> binds = new ArrayList<>();
        binds.add(hostStateDir + ":" + state);
        if (hostTrustDir != null) {
            binds.add(hostStateDir + "/contrib:" + Layout.SIDECAR_HOME + "/contrib:ro");
            binds.add(hostTrustDir + ":" + Layout.SIDECAR_HOME + "/trust:ro");
        }
        // The gate's upstream credentials: read-only, sidecar only (the agent never mounts them).
        for (GitRepo repo : plan.gitRepos()) {
            if (!repo.sshKey().isEmpty()) {
                binds.add(repo.sshKey() + ":" + GitGateConfig.keyPath(repo) + ":ro");
            }
            if (!repo.knownHosts().isEmpty()) {
                binds.add(repo.knownHosts() + ":" + GitGateConfig.knownHostsPath(repo) + ":ro");
            }
        }
        return new ContainerSpec(Names.sidecar(slug), image, env, List.of(),
                Names.labels(slug, Names.ROLE_SIDECAR), binds,
                plan.networks().egress(), List.of(), List.of(), List.of(), "", false, List.of("ALL"),
                "sidecar", user);
    }

    /**
     * The agent container: on the internal network only, the sidecar reachable as
     * {@value Layout#SIDECAR_HOST}, proxy and trust settings pointing there.
     *
     * @param sidecarIp the sidecar's address on the internal network
     * @param caDir     host directory with the CA certificate and trust store (mounted read-only), or
     *                  null when the sidecar runs no egress proxy (no trust variables then)
     * @param runtime   "" for the engine default, or {@code runsc}
     */
    public static ContainerSpec agent(BottlePlan plan, String image, String sidecarIp, String canary,
            String caDir, String runtime) {
        boolean withCa = caDir != null;
        Map<String, String> env = new LinkedHashMap<>(plan.env());
        env.putAll(agentNetworkEnv(plan, withCa));
        env.put(plan.canary().agentEnv(), canary);
        List<String> envList = new ArrayList<>();
        env.forEach((k, v) -> envList.add(k + "=" + v));
        Map<String, String> labels = new LinkedHashMap<>(Names.labels(plan.slug(), Names.ROLE_AGENT));
        labels.put(Names.LABEL_RUNTIME, runtime.isEmpty() ? "runc" : runtime);
        List<String> binds = new ArrayList<>();
        if (withCa) {
            binds.add(caDir + ":" + Layout.AGENT_TRUST_DIR + ":ro");
        }
        plan.mounts().forEach(m -> binds.add(m.source() + ":" + m.target() + (m.readOnly() ? ":ro" : "")));
        return new ContainerSpec(Names.agent(plan.slug()), image, envList, agentCommand(plan, withCa), labels, binds,
                plan.networks().internal(), List.of(), List.of(Layout.SIDECAR_HOST + ":" + sidecarIp),
                List.of(NO_DNS), runtime, true, List.of("NET_RAW", "NET_ADMIN", "SYS_ADMIN", "MKNOD"),
                plan.slug(), "");
    }

    /** Proxy, trust and git settings of the agent (everything but the plan's own env and the canary). */
    static Map<String, String> agentNetworkEnv(BottlePlan plan, boolean withCa) {
        Map<String, String> env = new LinkedHashMap<>();
        String proxy = "http://" + Layout.SIDECAR_HOST + ":" + Layout.EGRESS_PORT;
        // The gate and the MCP server are reached directly on the internal network, not through the proxy.
        String noProxy = "localhost,127.0.0.1," + Layout.SIDECAR_HOST;
        for (String k : List.of("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")) {
            env.put(k, proxy);
        }
        env.put("NO_PROXY", noProxy);
        env.put("no_proxy", noProxy);
        if (withCa) {
            for (String k : List.of("NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE",
                    "CURL_CA_BUNDLE", "GIT_SSL_CAINFO")) {
                env.put(k, Layout.AGENT_CA_FILE);
            }
            env.put("JAVA_TOOL_OPTIONS", "-Djavax.net.ssl.trustStore=" + Layout.AGENT_TRUSTSTORE
                    + " -Djavax.net.ssl.trustStorePassword=" + Layout.TRUSTSTORE_PASSWORD
                    + " -Djavax.net.ssl.trustStoreType=JKS");
        }
        // Git remotes rewritten to the gate through git's environment configuration: clones of the
        // upstream URL land on the gate without touching any file in the agent.
        int i = 0;
        for (GitRepo repo : plan.gitRepos()) {
            env.put("GIT_CONFIG_KEY_" + i, "url.http://" + Layout.SIDECAR_HOST + ":" + Layout.GITGATE_PORT + "/"
                    + repo.name() + ".insteadOf");
            env.put("GIT_CONFIG_VALUE_" + i, repo.upstream());
            i++;
        }
        if (plan.gitUser() != null) {
            env.put("GIT_CONFIG_KEY_" + i, "user.name");
            env.put("GIT_CONFIG_VALUE_" + i, plan.gitUser().name());
            i++;
            env.put("GIT_CONFIG_KEY_" + i, "user.email");
            env.put("GIT_CONFIG_VALUE_" + i, plan.gitUser().email());
            i++;
        }
        if (i > 0) {
            env.put("GIT_CONFIG_COUNT", Integer.toString(i));
        }
        return env;
    }

    /**
     * The provider's setup commands, then the agent's command, in one shell so a failing setup step
     * stops the start. With no command the agent gets a login shell.
     */
    static List<String> agentCommand(BottlePlan plan) {
        return agentCommand(plan, false);
    }

    /**
     * @param waitReady whether the command waits for {@value Layout#AGENT_READY_FILE} after the setup
     *                  commands (the container starts while the sidecar still boots)
     */
    static List<String> agentCommand(BottlePlan plan, boolean waitReady) {
        List<String> command = plan.command().isEmpty() ? List.of("/bin/bash") : plan.command();
        List<String> steps = new ArrayList<>(plan.setupCommands());
        if (waitReady) {
            steps.add("while [ ! -e " + Layout.AGENT_READY_FILE + " ]; do sleep 0.05; done");
        }
        if (steps.isEmpty()) {
            return command;
        }
        List<String> cmd = new ArrayList<>();
        cmd.add("/bin/sh");
        cmd.add("-c");
        cmd.add(String.join(" && ", steps) + " && exec \"$@\"");
        cmd.add("bot-bottle-agent");
        cmd.addAll(command);
        return cmd;
    }
}
