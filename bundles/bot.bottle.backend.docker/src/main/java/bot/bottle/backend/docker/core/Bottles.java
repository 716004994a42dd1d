package bot.bottle.backend.docker.core;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.InspectExecResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.api.model.StreamType;

import bot.bottle.api.backend.BottleStatus;
import bot.bottle.api.backend.ExecResult;
import bot.bottle.api.plan.BottlePlan;

/**
 * One bottle's life on a Docker engine: launch (networks, sidecar, health, agent), exec, attach,
 * commit, stop, list and cleanup. Everything created is labelled, so stop and cleanup find it again
 * even after this process died. A launch that fails removes what it created.
 */
public final class Bottles {
    /** How long the sidecar may take to serve its ports. */
    static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(90);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final DockerEngine engine;
    private final Images images;
    private final Path home;
    private final Path dist;
    private final PrintStream progress;
    private final Function<String, String> hostEnv;
    private final String sidecarOpts;

    /** What a launch produced. */
    public record Launched(String slug, String agentId, String sidecarId, String runtime, String sidecarIp,
            Set<String> services) {
    }

    /**
     * @param hostEnv     where token values are read (the launcher's environment)
     * @param sidecarOpts extra JVM options for the sidecar's kernel (operator settings such as the
     *                    egress proxy's upstream trust), "" for none
     */
    public Bottles(DockerEngine engine, Images images, Path home, Path dist, PrintStream progress,
            Function<String, String> hostEnv, String sidecarOpts) {
        this.sidecarOpts = sidecarOpts == null ? "" : sidecarOpts;
        this.engine = engine;
        this.images = images;
        this.home = home;
        this.dist = dist;
        this.progress = progress;
        this.hostEnv = hostEnv;
    }

    public Path dist() {
        return dist;
    }

    /** The sidecar container's output (for diagnosis and tests). */
    public String sidecarLogs(String slug, int tail) {
        return logs(Names.sidecar(Names.checkSlug(slug)), tail);
    }

    public Path stateDir(String slug) {
        return Layout.stateDir(home, Names.checkSlug(slug));
    }

    private DockerClient docker() {
        return engine.client();
    }

    // ---------------------------------------------------------------- launch

    /**
     * Builds what is missing and starts the bottle; with {@code startAgent} false the agent container
     * is created (trust files in place) but not started, for {@link #attach} to start it attached.
     */
    public Launched launch(BottlePlan plan, boolean resume, boolean startAgent) throws IOException {
        String slug = Names.checkSlug(plan.slug());
        for (Container c : containers(slug)) {
            if ("running".equals(c.getState())) {
                throw new IllegalStateException("bottle " + slug + " is already running (see 'bot-bottle ps';"
                        + " stop it with 'bot-bottle cleanup')");
            }
        }
        stop(slug); // leftovers of a crashed run: nothing of it is running
        Map<String, String> tokens = Topology.tokenValues(plan, hostEnv); // before creating anything
        String runtime = engine.agentRuntime();
        Path state = stateDir(slug);
        Files.createDirectories(state.resolve("backend"));
        Files.createDirectories(state.resolve("egress"));
        Files.createDirectories(state.resolve("supervise").resolve("queue"));
        writeAtomic(Layout.planFile(state), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(plan));
        writeAtomic(Layout.routesFile(state), RoutesFile.render(plan.egress()));
        if (!plan.gitRepos().isEmpty()) {
            Files.createDirectories(Layout.gitgateConfig(state).getParent());
            writeAtomic(Layout.gitgateConfig(state), GitGateConfig.render(plan));
        }

        String sidecarImage = images.sidecarImage(dist);
        Set<String> services = images.sidecarServices();
        String agentImage = null;
        if (resume) {
            agentImage = snapshot(slug);
        }
        if (agentImage == null) {
            StringBuilder recipe = new StringBuilder();
            agentImage = images.agentImage(plan.image(), recipe);
            writeAtomic(state.resolve("Dockerfile"), recipe.toString());
        }
        if (!services.contains("egress")) {
            progress.println("bot-bottle: warning: the sidecar image has no egress bundle, so the agent has no"
                    + " way out at all (fail closed)");
        }

        String canary = newCanary();
        try {
            createNetworks(plan);
            ContainerSpec sc = Topology.sidecar(plan, state.toString(), sidecarImage, tokens, canary, owner(state),
                    sidecarOpts);
            String sidecarId = create(sc).getId();
            docker().connectToNetworkCmd().withNetworkId(plan.networks().internal()).withContainerId(sidecarId)
                    .withContainerNetwork(new ContainerNetwork().withAliases(Layout.SIDECAR_HOST)).exec();
            docker().startContainerCmd(sidecarId).exec();
            InspectContainerResponse si = docker().inspectContainerCmd(sidecarId).exec();
            String internalIp = ip(si, plan.networks().internal());
            String egressIp = ip(si, plan.networks().egress());
            awaitHealthy(plan, sidecarId, egressIp, services, state);

            byte[] ca = Files.exists(Layout.caCert(state)) ? Files.readAllBytes(Layout.caCert(state)) : null;
            ContainerSpec ac = Topology.agent(plan, agentImage, internalIp, canary, ca != null, runtime);
            String agentId = create(ac).getId();
            if (ca != null) {
                docker().copyArchiveToContainerCmd(agentId).withRemotePath("/")
                        .withTarInputStream(new ByteArrayInputStream(TrustFiles.forAgent(ca).tar())).exec();
            }
            if (startAgent) {
                docker().startContainerCmd(agentId).exec();
            }
            return new Launched(slug, agentId, sidecarId, runtime.isEmpty() ? "runc" : runtime, internalIp, services);
        } catch (RuntimeException | IOException e) {
            try {
                stop(slug);
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private void createNetworks(BottlePlan plan) {
        String slug = plan.slug();
        // internal: no route out. inhibit_ipv4: the bridge gets no address, so the host (whose services
        // listen on the bridge address too) is unreachable from the agent; a plain --internal network
        // lets the agent connect to the host's gateway address (seen here with Docker 20.10).
        docker().createNetworkCmd().withName(plan.networks().internal()).withDriver("bridge").withInternal(true)
                .withOptions(Map.of("com.docker.network.bridge.inhibit_ipv4", "true"))
                .withLabels(Names.labels(slug, Names.ROLE_INTERNAL)).withCheckDuplicate(true).exec();
        docker().createNetworkCmd().withName(plan.networks().egress()).withDriver("bridge")
                .withLabels(Names.labels(slug, Names.ROLE_EGRESS)).withCheckDuplicate(true).exec();
    }

    private com.github.dockerjava.api.command.CreateContainerResponse create(ContainerSpec s) {
        HostConfig hc = HostConfig.newHostConfig()
                .withNetworkMode(s.network())
                .withBinds(s.binds().stream().map(Bind::parse).toList())
                .withCapDrop(s.capDrop().stream().map(Capability::valueOf).toArray(Capability[]::new))
                .withSecurityOpts(List.of("no-new-privileges"))
                .withInit(true)
                .withPidsLimit(4096L);
        if (!s.extraHosts().isEmpty()) {
            hc.withExtraHosts(s.extraHosts().toArray(String[]::new));
        }
        if (!s.dns().isEmpty()) {
            hc.withDns(s.dns());
        }
        if (!s.runtime().isEmpty()) {
            hc.withRuntime(s.runtime());
        }
        try (CreateContainerCmd cmd = docker().createContainerCmd(s.image())) {
            if (!s.user().isEmpty()) {
                cmd.withUser(s.user());
            }
            cmd.withName(s.name()).withHostName(s.hostname()).withEnv(s.env()).withLabels(s.labels())
                    .withHostConfig(hc);
            if (!s.cmd().isEmpty()) {
                cmd.withCmd(s.cmd());
            }
            if (s.tty()) {
                cmd.withTty(true).withStdinOpen(true).withAttachStdin(true).withAttachStdout(true)
                        .withAttachStderr(true);
            }
            return cmd.exec();
        }
    }

    /** {@code uid:gid} owning the state directory ("" where the file system has no unix owners). */
    static String owner(Path dir) {
        try {
            return Files.getAttribute(dir, "unix:uid") + ":" + Files.getAttribute(dir, "unix:gid");
        } catch (UnsupportedOperationException | IllegalArgumentException | IOException e) {
            return "";
        }
    }

    private static String ip(InspectContainerResponse r, String network) {
        ContainerNetwork n = r.getNetworkSettings().getNetworks().get(network);
        if (n == null || n.getIpAddress() == null || n.getIpAddress().isEmpty()) {
            throw new IllegalStateException("container " + r.getName() + " has no address on " + network);
        }
        return n.getIpAddress();
    }

    /**
     * Waits until the sidecar's kernel runs and each service it carries accepts connections (probed on
     * its egress-network address from the host), and the egress proxy wrote the bottle's CA.
     */
    private void awaitHealthy(BottlePlan plan, String sidecarId, String egressIp, Set<String> services, Path state) {
        Map<String, Integer> ports = new LinkedHashMap<>();
        if (services.contains("egress")) {
            ports.put("egress", Layout.EGRESS_PORT);
        }
        if (services.contains("supervise") && plan.supervise()) {
            ports.put("supervise", Layout.SUPERVISE_PORT);
        }
        if (services.contains("gitgate") && !plan.gitRepos().isEmpty()) {
            ports.put("gitgate", Layout.GITGATE_PORT);
        }
        long deadline = System.nanoTime() + HEALTH_TIMEOUT.toNanos();
        boolean kernelUp = false;
        while (true) {
            InspectContainerResponse r = docker().inspectContainerCmd(sidecarId).exec();
            if (!Boolean.TRUE.equals(r.getState().getRunning())) {
                throw new IllegalStateException("sidecar of " + plan.slug() + " exited (status "
                        + r.getState().getExitCodeLong() + "): " + lastLogLine(sidecarId));
            }
            if (!kernelUp) {
                kernelUp = logs(sidecarId, 200).contains("kernel running");
            }
            boolean ok = kernelUp;
            for (int port : ports.values()) {
                ok = ok && accepts(egressIp, port);
            }
            if (ok && services.contains("egress")) {
                ok = Files.exists(Layout.caCert(state));
            }
            if (ok) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("sidecar of " + plan.slug() + " not healthy after "
                        + HEALTH_TIMEOUT.toSeconds() + " s (waiting for " + (kernelUp ? ports.keySet() : "its kernel")
                        + "): " + lastLogLine(sidecarId));
            }
            sleep(50);
        }
    }

    private static boolean accepts(String ip, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(ip, port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The last {@code tail} lines of a container's output. */
    public String logs(String containerId, int tail) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ResultCallback.Adapter<Frame> cb = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Frame f) {
                out.writeBytes(f.getPayload());
            }
        };
        try {
            docker().logContainerCmd(containerId).withStdOut(true).withStdErr(true).withTail(tail).exec(cb)
                    .awaitCompletion(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (NotFoundException e) {
            return "";
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private String lastLogLine(String containerId) {
        String[] lines = logs(containerId, 20).strip().split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            if (!lines[i].isBlank()) {
                return lines[i].strip();
            }
        }
        return "(no output)";
    }

    private static String newCanary() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return "bbcanary_" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    // ---------------------------------------------------------------- attached session

    /**
     * Starts the created agent attached to this process's terminal through the docker CLI (which owns
     * raw mode, window size and signal forwarding), waits for it to exit, and returns its status.
     */
    public int attach(String slug, boolean alreadyStarted) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(dockerCli());
        boolean tty = System.console() != null;
        if (alreadyStarted) {
            cmd.add("attach");
            if (!tty) {
                cmd.add("--no-stdin");
            }
        } else {
            cmd.add("start");
            cmd.add("--attach");
            if (tty) {
                cmd.add("--interactive");
            }
        }
        cmd.add(Names.agent(slug));
        ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
        if (!engine.host().equals(DockerEngine.DEFAULT_HOST)) {
            pb.environment().put("DOCKER_HOST", engine.host());
        }
        Process p = pb.start();
        p.waitFor();
        try {
            InspectContainerResponse r = docker().inspectContainerCmd(Names.agent(slug)).exec();
            Long code = r.getState().getExitCodeLong();
            return code == null ? p.exitValue() : code.intValue();
        } catch (NotFoundException e) {
            return p.exitValue();
        }
    }

    static String dockerCli() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin").split(":")) {
            Path p = Path.of(dir, "docker");
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        throw new IllegalStateException("the docker CLI is not on PATH (it attaches the agent's terminal;"
                + " install docker.io)");
    }

    // ---------------------------------------------------------------- exec, commit, resume

    public ExecResult exec(String slug, List<String> command, Duration timeout) throws InterruptedException {
        String name = Names.agent(Names.checkSlug(slug));
        String execId = docker().execCreateCmd(name).withCmd(command.toArray(String[]::new))
                .withAttachStdout(true).withAttachStderr(true).exec().getId();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ResultCallback.Adapter<Frame> cb = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Frame f) {
                (f.getStreamType() == StreamType.STDERR ? err : out).writeBytes(f.getPayload());
            }
        };
        docker().execStartCmd(execId).exec(cb);
        boolean done = cb.awaitCompletion(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!done) {
            try {
                cb.close();
            } catch (IOException e) {
                // the stream is abandoned either way
            }
            return new ExecResult(-1, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }
        Long code = null;
        for (int i = 0; i < 50 && code == null; i++) {
            InspectExecResponse r = docker().inspectExecCmd(execId).exec();
            code = Boolean.TRUE.equals(r.isRunning()) ? null : r.getExitCodeLong();
            if (code == null) {
                sleep(20);
            }
        }
        return new ExecResult(code == null ? -1 : code.intValue(), out.toString(StandardCharsets.UTF_8),
                err.toString(StandardCharsets.UTF_8));
    }

    /** Snapshots the agent to {@link Names#snapshotImage}; the next resume starts from it. */
    public String commit(String slug) throws IOException {
        Names.checkSlug(slug);
        try {
            docker().inspectContainerCmd(Names.agent(slug)).exec();
        } catch (NotFoundException e) {
            throw new IllegalStateException("bottle " + slug + " has no agent container to commit (see 'bot-bottle ps')");
        }
        String ref = Names.snapshotImage(slug);
        int colon = ref.lastIndexOf(':');
        String id = docker().commitCmd(Names.agent(slug)).withRepository(ref.substring(0, colon))
                .withTag(ref.substring(colon + 1)).withLabels(Names.labels(slug, Names.ROLE_SNAPSHOT))
                .withPause(true).exec();
        Path state = stateDir(slug);
        Files.createDirectories(state.resolve("backend"));
        writeAtomic(Layout.snapshotFile(state), id + "\n");
        return id;
    }

    /** The slug's committed image when both the record and the image exist, else null. */
    public String snapshot(String slug) throws IOException {
        Path f = Layout.snapshotFile(stateDir(slug));
        if (!Files.exists(f)) {
            return null;
        }
        String id = Files.readString(f).strip();
        try {
            return docker().inspectImageCmd(id).exec().getId();
        } catch (NotFoundException e) {
            progress.println("bot-bottle: warning: snapshot " + id + " of " + slug + " is gone; starting fresh");
            return null;
        }
    }

    /** The plan the slug last ran with. */
    public BottlePlan lastPlan(String slug) throws IOException {
        Path f = Layout.planFile(stateDir(slug));
        if (!Files.exists(f)) {
            throw new IllegalStateException("bottle " + slug + " was never started by the docker backend (no " + f + ")");
        }
        return JSON.readValue(f.toFile(), BottlePlan.class);
    }

    // ---------------------------------------------------------------- stop, list, cleanup

    private List<Container> containers(String slug) {
        List<String> filter = new ArrayList<>();
        filter.add(Names.LABEL_BACKEND + "=" + Names.BACKEND);
        if (slug != null) {
            filter.add(Names.LABEL_SLUG + "=" + slug);
        }
        return docker().listContainersCmd().withShowAll(true).withLabelFilter(filter).exec();
    }

    private List<Network> networks(String slug) {
        Map<String, String> filter = new TreeMap<>();
        filter.put(Names.LABEL_BACKEND, Names.BACKEND);
        if (slug != null) {
            filter.put(Names.LABEL_SLUG, slug);
        }
        return docker().listNetworksCmd().withFilter("label", filter.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue()).toList()).exec();
    }

    /** Removes one bottle's containers and networks; keeps its state and snapshot. Idempotent. */
    public int stop(String slug) {
        return remove(Names.checkSlug(slug));
    }

    /** Removes every container and network this backend labelled. Idempotent. */
    public int cleanup() {
        return remove(null);
    }

    private int remove(String slug) {
        int n = 0;
        for (Container c : containers(slug)) {
            try {
                docker().removeContainerCmd(c.getId()).withForce(true).withRemoveVolumes(true).exec();
                n++;
            } catch (NotFoundException e) {
                // removed meanwhile (a concurrent cleanup): the goal is reached
            }
        }
        for (Network net : networks(slug)) {
            try {
                docker().removeNetworkCmd(net.getId()).exec();
                n++;
            } catch (NotFoundException e) {
                // as above
            }
        }
        return n;
    }

    /**
     * The bottles that have resources, one status each: {@code running} (agent and sidecar up),
     * {@code sidecar-down} (the agent runs cut off: its sidecar is not running), {@code created},
     * {@code exited} or {@code leftover} (networks only).
     */
    public List<BottleStatus> list() {
        Map<String, Map<String, String>> bySlug = new TreeMap<>();
        for (Container c : containers(null)) {
            String slug = c.getLabels().get(Names.LABEL_SLUG);
            String role = c.getLabels().get(Names.LABEL_ROLE);
            if (slug != null && role != null) {
                bySlug.computeIfAbsent(slug, k -> new TreeMap<>()).put(role, c.getState());
            }
        }
        for (Network n : networks(null)) {
            String slug = n.getLabels() == null ? null : n.getLabels().get(Names.LABEL_SLUG);
            if (slug != null) {
                bySlug.computeIfAbsent(slug, k -> new TreeMap<>());
            }
        }
        List<BottleStatus> out = new ArrayList<>();
        bySlug.forEach((slug, roles) -> out.add(new BottleStatus(slug, Names.BACKEND, state(roles))));
        return out;
    }

    static String state(Map<String, String> roles) {
        String agent = roles.get(Names.ROLE_AGENT);
        String sidecar = roles.get(Names.ROLE_SIDECAR);
        if (agent == null && sidecar == null) {
            return "leftover";
        }
        if ("running".equals(agent)) {
            return "running".equals(sidecar) ? "running" : "sidecar-down";
        }
        if (agent == null) {
            return "running".equals(sidecar) ? "starting" : "exited";
        }
        return agent; // created, exited, paused, ...
    }

    // ---------------------------------------------------------------- helpers

    static void writeAtomic(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = Files.createTempFile(file.getParent(), "." + file.getFileName(), ".tmp");
        try {
            Files.writeString(tmp, text);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted");
        }
    }

    static UncheckedIOException unchecked(IOException e) {
        return new UncheckedIOException(e);
    }
}
