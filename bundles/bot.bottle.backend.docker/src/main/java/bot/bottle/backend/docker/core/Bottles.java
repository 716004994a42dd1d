package bot.bottle.backend.docker.core;

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
import java.util.function.Function;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import bot.bottle.backend.docker.core.EngineApi.NotFound;
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
    /** How long the services may take to listen once the sidecar's kernel runs. */
    static final Duration SERVICES_AFTER_KERNEL = Duration.ofSeconds(20);
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
    private volatile java.util.function.Supplier<bot.bottle.api.egress.EgressCa> caMaker = () -> null;
    private final Path upstreamCa;
    /** The last launch's clock, so an attached session's steps print on the same scale. */
    private volatile Timing lastTiming;

    /**
     * What a launch produced. {@code reachable} completes once the agent may be released (its trust files in
     * place, every sidecar service's port taking connections), {@code health} once the sidecar is fully
     * up (its kernel runs and the egress proxy serves). With an attached agent both may still be pending
     * when {@link #launch} returns (see there); otherwise both are complete.
     */
    public record Launched(String slug, String agentId, String runtime, String sidecarIp,
            Set<String> services, java.util.concurrent.CompletableFuture<Void> reachable,
            java.util.concurrent.CompletableFuture<Void> health, java.util.concurrent.CompletableFuture<?> sidecarMade) {

        /**
         * Waits until the sidecar's path (networks, container, start; it may still run when an attached
         * launch returns) is done, failed or not: before a stop, so nothing is made after the teardown.
         */
        public void settle() {
            sidecarMade.handle((v, x) -> null).join();
        }
    }

    /**
     * @param hostEnv     where token values are read (the launcher's environment)
     * @param sidecarOpts extra JVM options for the sidecar's kernel (operator settings such as the
     *                    egress proxy's upstream trust), "" for none
     */
    public Bottles(DockerEngine engine, Images images, Path home, Path dist, PrintStream progress,
            Function<String, String> hostEnv, String sidecarOpts) {
        this(engine, images, home, dist, progress, hostEnv, sidecarOpts, null);
    }

    /**
     * @param upstreamCa a PEM file of extra CA certificates the sidecar's egress proxy trusts for
     *                   upstream TLS (a TLS-inspecting corporate proxy, a local stand-in), or null;
     *                   copied into each bottle's state, never into the agent
     */
    public Bottles(DockerEngine engine, Images images, Path home, Path dist, PrintStream progress,
            Function<String, String> hostEnv, String sidecarOpts, Path upstreamCa) {
        this.upstreamCa = upstreamCa;
        this.sidecarOpts = sidecarOpts == null ? "" : sidecarOpts;
        this.engine = engine;
        this.images = images;
        this.home = home;
        this.dist = dist;
        this.progress = progress;
        this.hostEnv = hostEnv;
    }

    /**
     * Where the bottle's egress CA is made on the host (null supplier value: the sidecar makes it). Made
     * there, its certificate is in the agent's trust files before the sidecar has booted.
     */
    public void caMaker(java.util.function.Supplier<bot.bottle.api.egress.EgressCa> maker) {
        this.caMaker = maker == null ? () -> null : maker;
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

    private EngineApi api() {
        return engine.api();
    }

    private static String path(String fmt, String... parts) {
        Object[] enc = new Object[parts.length];
        for (int i = 0; i < parts.length; i++) {
            enc[i] = java.net.URLEncoder.encode(parts[i], StandardCharsets.UTF_8);
        }
        return String.format(fmt, enc);
    }

    private JsonNode inspectContainer(String nameOrId) {
        return api().json("GET", path("/containers/%s/json", nameOrId), null);
    }

    // ---------------------------------------------------------------- launch

    /**
     * Builds what is missing and starts the bottle; with {@code startAgent} false the agent container
     * is created (trust files in place) but not started, for {@link #attach} to start it attached.
     */
    public Launched launch(BottlePlan plan, boolean resume, boolean startAgent) throws IOException {
        return launch(plan, resume, startAgent, Map.of());
    }

    /**
     * As {@link #launch(BottlePlan, boolean, boolean)}; {@code credentials} (host variable name to
     * value, read by the provider from the host) win over the launcher's environment when the token
     * slots are filled. They go to the sidecar's environment only.
     */
    public Launched launch(BottlePlan plan, boolean resume, boolean startAgent, Map<String, String> credentials)
            throws IOException {
        String slug = Names.checkSlug(plan.slug());
        Timing t = new Timing(progress);
        lastTiming = t;
        for (JsonNode c : containers(slug)) {
            if ("running".equals(c.path("State").asText())) {
                throw new IllegalStateException("bottle " + slug + " is already running (see 'bot-bottle ps';"
                        + " stop it with 'bot-bottle cleanup')");
            }
        }
        stop(slug); // leftovers of a crashed run: nothing of it is running
        // before creating anything: a missing token or CA file fails the start with nothing to undo
        Map<String, String> tokens = Topology.tokenValues(plan,
                name -> credentials.containsKey(name) ? credentials.get(name) : hostEnv.apply(name));
        String upstreamCaPem = upstreamCa == null ? null : readUpstreamCa(upstreamCa);
        String runtime = engine.agentRuntime();
        Path state = stateDir(slug);
        Files.createDirectories(state.resolve("backend"));
        Files.createDirectories(state.resolve("egress"));
        Files.createDirectories(state.resolve("supervise").resolve("queue"));
        // The backend's copy of the plan (what resume starts from) is written beside the launch: its
        // first serialisation costs the cold JVM ~70 ms. Joined before launch returns.
        java.util.concurrent.CompletableFuture<Void> planWritten = beside("bottle-plan-" + slug, () -> {
            writeAtomic(Layout.planFile(state), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(plan));
            return null;
        });
        // The live routes file wins when present: the manifest bundle wrote it for this start, or
        // approvals changed it while the bottle ran (resume keeps them).
        if (!Files.exists(Layout.routesFile(state))) {
            writeAtomic(Layout.routesFile(state), RoutesFile.render(plan.egress()));
        }
        if (!plan.gitRepos().isEmpty()) {
            Files.createDirectories(Layout.gitgateConfig(state).getParent());
            writeAtomic(Layout.gitgateConfig(state), GitGateConfig.render(plan));
        }
        List<String> detectors = ContribDetectors.copy(home.resolve("contrib"), Layout.sidecarContrib(state));
        if (!detectors.isEmpty()) {
            progress.println("bot-bottle: contrib detectors for the sidecar: " + String.join(", ", detectors));
        }
        Path trust = home.resolve("trust");
        if (upstreamCaPem != null) {
            writeAtomic(Layout.upstreamCaFile(state), upstreamCaPem);
        }
        String opts = upstreamCaPem == null ? sidecarOpts : "-Dbot.bottle.egress.upstreamCa="
                + Layout.sidecarState(slug) + "/egress/" + Layout.UPSTREAM_CA + (sidecarOpts.isBlank() ? "" : " " + sidecarOpts);
        t.mark("state written");
        String sidecarImage = images.sidecarImage(dist);
        Set<String> services = images.sidecarServices();
        t.mark("sidecar image checked");
        if (!services.contains("egress")) {
            progress.println("bot-bottle: warning: the sidecar image has no egress service, so the agent has no"
                    + " way out at all (fail closed)");
        }

        // the agent's image (checked, built when its recipe changed) while the engine makes the networks
        // and the sidecar
        java.util.concurrent.CompletableFuture<String> agentImageChecked = beside("bottle-image-" + slug, () -> {
            String image = resume ? resumeImage(slug, state) : null;
            if (image == null) {
                StringBuilder recipe = new StringBuilder();
                image = images.agentImage(plan.image(), recipe);
                writeAtomic(state.resolve("Dockerfile"), recipe.toString());
            }
            return image;
        });
        // the CA on the host while the engine makes the networks and the sidecar
        boolean withCa = services.contains("egress");
        bot.bottle.api.egress.EgressCa maker = withCa ? caMaker.get() : null;
        java.util.concurrent.CompletableFuture<Path> hostCa = maker == null ? null
                : beside("bottle-ca-" + slug, () -> {
                    Path made = maker.ensure(Layout.caCert(state).getParent());
                    t.mark("CA made on the host");
                    return made;
                });
        String canary = newCanary();
        Path caDir = Layout.agentCaDir(state);
        Files.createDirectories(caDir);
        Files.deleteIfExists(readyFile(caDir)); // a resumed bottle's last run left it
        try {
            // Two paths side by side, since both of the internal network's addresses are fixed:
            // the agent's (the internal network, then its container) on this thread, and the sidecar's
            // (the egress network, its container, connected to the internal network, then started).
            java.util.concurrent.CompletableFuture<InternalSubnet> internalNet = beside("bottle-net-" + slug,
                    () -> createInternalNetwork(plan));
            java.util.concurrent.CompletableFuture<SidecarUp> sidecarUp = beside("bottle-sidecar-" + slug, () -> {
                createEgressNetwork(plan);
                String sidecarId = create(Topology.sidecar(plan, state.toString(), sidecarImage, tokens, canary,
                        owner(state), opts, Files.isDirectory(trust) ? trust.toString() : null));
                InternalSubnet subnet = await(internalNet, "create the internal network");
                ObjectNode connect = EngineApi.JSON.createObjectNode().put("Container", sidecarId);
                ObjectNode endpoint = connect.putObject("EndpointConfig");
                endpoint.putArray("Aliases").add(Layout.SIDECAR_HOST);
                endpoint.putObject("IPAMConfig").put("IPv4Address", subnet.sidecar());
                api().json("POST", path("/networks/%s/connect", plan.networks().internal()), connect);
                t.mark("networks and sidecar created");
                // the host's CA must be on disk before the sidecar runs: its proxy would make one of its own
                Path hostCaCert = hostCa == null ? null : await(hostCa, "make the bottle's egress CA");
                // the agent's trust files: in place before its release, not before it starts
                java.util.concurrent.CompletableFuture<Void> trustFiles = hostCaCert == null
                        ? java.util.concurrent.CompletableFuture.completedFuture(null)
                        : beside("bottle-trust-" + slug, () -> {
                            TrustFiles.write(caDir, Files.readAllBytes(hostCaCert));
                            t.mark("CA in place (made on the host)");
                            return null;
                        });
                api().json("POST", path("/containers/%s/start", sidecarId), null);
                t.mark("sidecar started");
                return new SidecarUp(sidecarId, ip(inspectContainer(sidecarId), plan.networks().egress()),
                        withCa && hostCaCert == null ? caDir : null, trustFiles);
            });
            // The agent's container; its command waits for the ready file, so the container and the
            // provider's setup commands start while the sidecar boots. A detached launch starts it here,
            // an attached session's docker CLI (see attach).
            InternalSubnet subnet;
            String agentId;
            try {
                subnet = await(internalNet, "create the internal network");
                String agentImage = await(agentImageChecked, "check the agent's image");
                t.mark("internal network made, agent image checked");
                agentId = create(Topology.agent(plan, agentImage, subnet.sidecar(), canary,
                        withCa ? caDir.toString() : null, runtime), subnet.agent());
                t.mark("agent created");
                if (withCa && startAgent) {
                    api().json("POST", path("/containers/%s/start", agentId), null);
                    t.mark("agent started (waiting)");
                }
            } catch (RuntimeException | IOException e) {
                internalNet.handle((v, x) -> null).join(); // before the teardown: nothing is made after it
                sidecarUp.handle((v, x) -> null).join();
                throw e;
            }

            // Attached (the session, withCa): launch returns once the agent's container is made; the sidecar
            // starts and is checked in the background, so the terminal attaches meanwhile. The agent is
            // released once `reachable` completes: its trust files are in place and every service's port
            // takes connections (the sidecar's kernel binds them first thing, so an early request waits in
            // the listen backlog). `health` then waits for the whole sidecar; a failure of either stops the
            // bottle (see DockerBottleBackend). Detached launches wait for it all.
            java.util.concurrent.CompletableFuture<Void> reachable = new java.util.concurrent.CompletableFuture<>();
            java.util.concurrent.CompletableFuture<Void> health = new java.util.concurrent.CompletableFuture<>();
            long checkFrom = System.nanoTime(); // one allowance for both checks
            if (startAgent || !withCa) {
                SidecarUp up = await(sidecarUp, "start the sidecar");
                await(up.trust(), "write the agent's trust files");
                awaitHealthy(plan, up.id(), up.egressIp(), services, state, t, up.trustTarget(), true, health,
                        checkFrom);
                t.mark("sidecar healthy");
                reachable.complete(null);
                health.complete(null);
                if (!withCa && startAgent) {
                    api().json("POST", path("/containers/%s/start", agentId), null);
                    t.mark("agent started");
                } else if (withCa && startAgent) {
                    markReady(caDir);
                    t.mark("agent released");
                }
            } else {
                daemon("bottle-health-" + slug, () -> {
                    try {
                        SidecarUp up = await(sidecarUp, "start the sidecar");
                        await(up.trust(), "write the agent's trust files");
                        awaitHealthy(plan, up.id(), up.egressIp(), services, state, t, up.trustTarget(), false,
                                reachable, checkFrom);
                        if (reachable.complete(null)) {
                            t.mark("sidecar reachable");
                        }
                        awaitHealthy(plan, up.id(), up.egressIp(), services, state, t, null, true, health,
                                checkFrom);
                        if (health.complete(null)) {
                            t.mark("sidecar healthy");
                        }
                    } catch (Throwable e) {
                        reachable.completeExceptionally(e);
                        health.completeExceptionally(e);
                    }
                });
            }
            await(planWritten, "write the bottle's plan");
            return new Launched(slug, agentId, runtime.isEmpty() ? "runc" : runtime, subnet.sidecar(), services,
                    reachable, health, sidecarUp);
        } catch (RuntimeException | IOException e) {
            try {
                stop(slug);
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * The started sidecar: its container, its address on the egress network (where the host probes its
     * ports), the directory still to receive the agent's trust files once its proxy made the CA (null when
     * the host made it: then {@code trust} writes them).
     */
    private record SidecarUp(String id, String egressIp, Path trustTarget,
            java.util.concurrent.CompletableFuture<Void> trust) {
    }

    /** Starts {@code work} on a daemon thread of its own. */
    private static void daemon(String name, Runnable work) {
        Thread th = new Thread(work, name);
        th.setDaemon(true);
        th.start();
    }

    /** Work that overlaps the launch (a daemon thread named for the bottle); see {@link #await}. */
    private static <T> java.util.concurrent.CompletableFuture<T> beside(String name,
            java.util.concurrent.Callable<T> work) {
        java.util.concurrent.CompletableFuture<T> done = new java.util.concurrent.CompletableFuture<>();
        daemon(name, () -> {
            try {
                done.complete(work.call());
            } catch (Throwable e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    /** The result of {@link #beside} work: its IOException or RuntimeException as thrown, else wrapped. */
    private static <T> T await(java.util.concurrent.CompletableFuture<T> work, String what) throws IOException {
        try {
            return work.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw failure(e.getCause(), "cannot " + what + ": " + e.getCause());
        }
    }

    /** A background step's failure as the caller throws it: a RuntimeException as is, else an IOException. */
    private static IOException failure(Throwable cause, String message) {
        if (cause instanceof RuntimeException r) {
            throw r;
        }
        return cause instanceof IOException io ? io : new IOException(message, cause);
    }

    private volatile java.util.random.RandomGenerator subnetRandom = new java.security.SecureRandom();

    /** Where internal networks' blocks are drawn from; tests pin it to provoke a block already in use. */
    public void subnetRandom(java.util.random.RandomGenerator random) {
        this.subnetRandom = random;
    }

    /** Makes the internal network on a free block of addresses (see {@link InternalSubnet}); returns it. */
    private InternalSubnet createInternalNetwork(BottlePlan plan) {
        String slug = plan.slug();
        List<long[]> hostRoutes = InternalSubnet.hostRoutes(Path.of("/proc/net/route"));
        java.util.random.RandomGenerator random = subnetRandom;
        for (int attempt = 1;; attempt++) {
            InternalSubnet subnet = InternalSubnet.random(random, hostRoutes);
            // internal: no route out. inhibit_ipv4: the bridge gets no address, so the host (whose services
            // listen on the bridge address too) is unreachable from the agent; a plain --internal network
            // lets the agent connect to the host's gateway address (seen here with Docker 20.10).
            ObjectNode internal = EngineApi.JSON.createObjectNode().put("Name", plan.networks().internal())
                    .put("Driver", "bridge").put("Internal", true).put("CheckDuplicate", true).put("EnableIPv6", false);
            internal.putObject("Options").put("com.docker.network.bridge.inhibit_ipv4", "true");
            internal.putObject("IPAM").put("Driver", "default").putArray("Config").addObject()
                    .put("Subnet", subnet.cidr());
            internal.set("Labels", EngineApi.JSON.valueToTree(Names.labels(slug, Names.ROLE_INTERNAL)));
            try {
                api().json("POST", "/networks/create", internal);
                return subnet;
            } catch (EngineApi.EngineException e) {
                // another network has that block: the next random one (each try is one engine call)
                if (attempt >= 8 || !String.valueOf(e.getMessage()).contains("overlaps")) {
                    throw e;
                }
            }
        }
    }

    private void createEgressNetwork(BottlePlan plan) {
        String slug = plan.slug();
        ObjectNode egress = EngineApi.JSON.createObjectNode().put("Name", plan.networks().egress())
                .put("Driver", "bridge").put("CheckDuplicate", true).put("EnableIPv6", false);
        egress.set("Labels", EngineApi.JSON.valueToTree(Names.labels(slug, Names.ROLE_EGRESS)));
        api().json("POST", "/networks/create", egress);
    }

    /** Creates a container from its spec; returns its id. */
    private String create(ContainerSpec s) {
        return create(s, null);
    }

    /** As {@link #create(ContainerSpec)}, with a fixed address on its network when {@code ipv4} is not null. */
    private String create(ContainerSpec s, String ipv4) {
        ObjectNode c = EngineApi.JSON.createObjectNode();
        c.put("Image", s.image()).put("Hostname", s.hostname());
        if (!s.user().isEmpty()) {
            c.put("User", s.user());
        }
        c.set("Env", EngineApi.JSON.valueToTree(s.env()));
        c.set("Labels", EngineApi.JSON.valueToTree(s.labels()));
        if (!s.cmd().isEmpty()) {
            c.set("Cmd", EngineApi.JSON.valueToTree(s.cmd()));
        }
        if (s.tty()) {
            c.put("Tty", true).put("OpenStdin", true).put("AttachStdin", true).put("AttachStdout", true)
                    .put("AttachStderr", true);
        }
        ObjectNode hc = c.putObject("HostConfig");
        hc.put("NetworkMode", s.network()).put("Init", true).put("PidsLimit", 4096);
        hc.set("Binds", EngineApi.JSON.valueToTree(s.binds()));
        hc.set("CapDrop", EngineApi.JSON.valueToTree(s.capDrop()));
        hc.putArray("SecurityOpt").add("no-new-privileges");
        if (!s.extraHosts().isEmpty()) {
            hc.set("ExtraHosts", EngineApi.JSON.valueToTree(s.extraHosts()));
        }
        if (!s.dns().isEmpty()) {
            hc.set("Dns", EngineApi.JSON.valueToTree(s.dns()));
            // fail fast: a lookup of an outside name must not hang the agent for seconds
            hc.putArray("DnsOptions").add("timeout:1").add("attempts:1");
        }
        if (!s.runtime().isEmpty()) {
            hc.put("Runtime", s.runtime());
        }
        if (ipv4 != null) {
            c.putObject("NetworkingConfig").putObject("EndpointsConfig").putObject(s.network())
                    .putObject("IPAMConfig").put("IPv4Address", ipv4);
        }
        return api().json("POST", EngineApi.query("/containers/create", "name", s.name()), c).path("Id").asText();
    }

    /** {@code uid:gid} owning the state directory ("" where the file system has no unix owners). */
    static String owner(Path dir) {
        try {
            return Files.getAttribute(dir, "unix:uid") + ":" + Files.getAttribute(dir, "unix:gid");
        } catch (UnsupportedOperationException | IllegalArgumentException | IOException e) {
            return "";
        }
    }

    private static String ip(JsonNode r, String network) {
        String ip = r.path("NetworkSettings").path("Networks").path(network).path("IPAddress").asText("");
        if (ip.isEmpty()) {
            throw new IllegalStateException("container " + r.path("Name").asText() + " has no address on " + network);
        }
        return ip;
    }

    /**
     * Waits until each service the sidecar carries accepts connections (probed on its egress-network
     * address from the host) and the egress proxy wrote the bottle's CA (whose certificate then goes
     * into the agent's trust directory); when {@code full}, also until the sidecar's kernel runs and
     * the egress proxy serves (it logged {@code egress_start}). Returns early, doing nothing more, once
     * {@code cancel} is done.
     */
    private void awaitHealthy(BottlePlan plan, String sidecarId, String egressIp, Set<String> services, Path state,
            Timing t, Path caDir, boolean full, java.util.concurrent.Future<?> cancel, long since) throws IOException {
        boolean trustWritten = caDir == null;
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
        long deadline = since + HEALTH_TIMEOUT.toNanos();
        boolean kernelUp = false;
        boolean egressServes = !full || !services.contains("egress");
        while (true) {
            if (cancel.isDone()) {
                return; // the session ended (or the check already failed)
            }
            if (full && (!kernelUp || !egressServes)) {
                // the whole log: once the agent runs, the proxy's request lines could push the start lines out
                // of a fixed tail (the check stops reading once both are seen)
                String log = logs(sidecarId, -1);
                egressServes = egressServes || log.contains("\"event\":\"egress_start\"");
                if (!kernelUp && log.contains("kernel running")) {
                    kernelUp = true;
                    t.mark("sidecar kernel running");
                    // services start while the kernel starts its bundles: once it runs they get a little
                    // longer, not the full boot allowance (a component that threw will never listen)
                    deadline = Math.min(deadline, System.nanoTime() + SERVICES_AFTER_KERNEL.toNanos());
                }
            }
            if (!trustWritten && Files.exists(Layout.caCert(state))) {
                // while the rest of the sidecar boots: the agent's trust files from the new CA
                TrustFiles.write(caDir, Files.readAllBytes(Layout.caCert(state)));
                trustWritten = true;
                t.mark("CA in place");
            }
            boolean ok = (kernelUp || !full) && egressServes && trustWritten;
            for (int port : ports.values()) {
                ok = ok && accepts(egressIp, port);
            }
            if (ok) {
                return;
            }
            JsonNode r = inspectContainer(sidecarId).path("State");
            if (!r.path("Running").asBoolean()) {
                throw new IllegalStateException("sidecar of " + plan.slug() + " exited (status "
                        + r.path("ExitCode").asText() + "): " + lastLogLine(sidecarId));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("sidecar of " + plan.slug() + " not healthy (waiting for "
                        + (kernelUp || !full ? ports.keySet() + (trustWritten ? "" : " and the CA")
                                + (egressServes ? "" : " and the egress proxy") : "its kernel") + "): "
                        + firstProblem(sidecarId));
            }
            sleep(full ? 50 : 10); // the release waits on this one: the sidecar binds its ports early in its boot
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

    /** The last {@code tail} lines (all when negative) of a container's output (stdout and stderr; a TTY's raw output). */
    public String logs(String containerId, int tail) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            boolean tty = inspectContainer(containerId).path("Config").path("Tty").asBoolean();
            api().exchange("GET", EngineApi.query(path("/containers/%s/logs", containerId), "stdout", "1",
                    "stderr", "1", "tail", tail < 0 ? "all" : Integer.toString(tail)), null, null, in -> {
                        try {
                            if (tty) {
                                in.transferTo(out);
                            } else {
                                EngineApi.demux(in, out, out);
                            }
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
        } catch (NotFound e) {
            return "";
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The first error the sidecar logged (a component that threw), else its last line. */
    private String firstProblem(String containerId) {
        String[] lines = logs(containerId, 400).split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].startsWith("ERROR") || lines[i].contains("Exception:")) {
                String next = i + 1 < lines.length ? " " + lines[i + 1].strip() : "";
                return (lines[i].strip() + next).strip();
            }
        }
        return lastLogLine(containerId);
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

    /** The operator's extra upstream CA file, checked: it must hold at least one PEM certificate. */
    static String readUpstreamCa(Path file) {
        String pem;
        try {
            pem = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException | UncheckedIOException e) {
            throw new IllegalStateException("bot.bottle.docker.upstream.ca: cannot read " + file + " ("
                    + e.getMessage() + ")");
        }
        if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
            throw new IllegalStateException("bot.bottle.docker.upstream.ca: " + file
                    + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        return pem;
    }

    private static String newCanary() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return "bbcanary_" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    // ---------------------------------------------------------------- attached session

    /**
     * Attaches this process's terminal to the agent through the docker CLI (which owns raw mode, window
     * size and signal forwarding), waits for the agent to exit and returns its status. An agent made with a
     * command that waits for its ready file (the session's usual case) is started by the CLI at once
     * ({@code start --attach} attaches before it starts, so no output is lost; the container's start
     * overlaps the sidecar's) and released once {@code reachable} completes; otherwise the CLI starts (or
     * attaches to) it after that. When {@code reachable} fails, the CLI is stopped and the failure thrown.
     */
    public int attach(String slug, java.util.concurrent.Future<Void> reachable) throws IOException, InterruptedException {
        Path ready = readyFile(Layout.agentCaDir(stateDir(slug)));
        boolean running = false;
        boolean waitsForReady = false;
        try {
            JsonNode c = inspectContainer(Names.agent(slug));
            running = c.path("State").path("Running").asBoolean();
            waitsForReady = c.path("Config").path("Cmd").toString().contains(Layout.AGENT_READY_FILE);
        } catch (NotFound e) {
            // nothing to attach to: the CLI says so
        }
        Timing t = lastTiming != null ? lastTiming : new Timing(progress);
        boolean releaseAfterStart = !running && waitsForReady && !Files.exists(ready);
        if (!releaseAfterStart) {
            awaitReachable(reachable, null); // nothing to start ahead of the release
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(dockerCli());
        boolean tty = System.console() != null;
        if (running) {
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
        t.mark("docker CLI started");
        if (releaseAfterStart) {
            try {
                awaitReachable(reachable, p);
            } catch (InterruptedException e) {
                p.destroy(); // the framework is stopping: detach; the caller tears down
                Thread.currentThread().interrupt();
                return 130;
            }
            markReady(ready.getParent());
            t.mark("agent released");
        }
        try {
            p.waitFor();
        } catch (InterruptedException e) {
            // the framework is stopping (SIGTERM, Ctrl-C without a terminal): detach; the caller tears down
            p.destroy();
            Thread.currentThread().interrupt();
            return 130;
        }
        try {
            JsonNode state = inspectContainer(Names.agent(slug)).path("State");
            JsonNode code = state.path("ExitCode");
            // a container the CLI could not start never ran: the CLI's status says it failed
            boolean ran = !state.path("StartedAt").asText("0001").startsWith("0001");
            return code.isNumber() && ran ? code.asInt() : p.exitValue();
        } catch (NotFound e) {
            return p.exitValue();
        }
    }

    private static void awaitReachable(java.util.concurrent.Future<Void> reachable, Process cli)
            throws IOException, InterruptedException {
        try {
            reachable.get();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.CancellationException e) {
            if (cli != null) {
                cli.destroy();
            }
            Throwable c = e.getCause() == null ? e : e.getCause();
            throw failure(c, c.getMessage());
        }
    }

    static Path readyFile(Path caDir) {
        return caDir.resolve(Path.of(Layout.AGENT_READY_FILE).getFileName().toString());
    }

    private static void markReady(Path caDir) throws IOException {
        Path f = readyFile(caDir);
        Files.write(f, new byte[0]);
        f.toFile().setReadable(true, false);
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
        ObjectNode create = EngineApi.JSON.createObjectNode().put("AttachStdout", true).put("AttachStderr", true);
        create.set("Cmd", EngineApi.JSON.valueToTree(command));
        String execId = api().json("POST", path("/containers/%s/exec", name), create).path("Id").asText();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        EngineApi.Cancel cancel = new EngineApi.Cancel();
        Thread reader = new Thread(() -> api().exchange("POST", path("/exec/%s/start", execId),
                "{\"Detach\":false,\"Tty\":false}".getBytes(StandardCharsets.UTF_8), "application/json", cancel, in -> {
                    try {
                        EngineApi.demux(in, out, err);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }), "bot-bottle-exec");
        reader.setDaemon(true);
        reader.start();
        reader.join(timeout.toMillis());
        if (reader.isAlive()) {
            cancel.cancel();
            reader.join(2000);
            return new ExecResult(-1, text(out), text(err));
        }
        JsonNode code = NullNode.getInstance();
        for (int i = 0; i < 50; i++) {
            JsonNode r = api().json("GET", path("/exec/%s/json", execId), null);
            code = r.path("ExitCode");
            if (!r.path("Running").asBoolean() && code.isNumber()) {
                break;
            }
            sleep(20);
        }
        return new ExecResult(code.isNumber() ? code.asInt() : -1, text(out), text(err));
    }

    private static String text(ByteArrayOutputStream b) {
        synchronized (b) {
            return b.toString(StandardCharsets.UTF_8);
        }
    }

    /** Snapshots the agent to {@link Names#snapshotImage}; the next resume starts from it. */
    public String commit(String slug) throws IOException {
        Names.checkSlug(slug);
        JsonNode agent;
        try {
            agent = inspectContainer(Names.agent(slug));
        } catch (NotFound e) {
            throw new IllegalStateException("bottle " + slug + " has no agent container to commit (see 'bot-bottle ps')");
        }
        String ref = Names.snapshotImage(slug);
        int colon = ref.lastIndexOf(':');
        // the body is the new image's config: the container's own, with the snapshot's labels
        ObjectNode config = ((ObjectNode) agent.path("Config")).deepCopy();
        ObjectNode labels = config.putObject("Labels");
        Names.labels(slug, Names.ROLE_SNAPSHOT).forEach(labels::put);
        String id = api().json("POST", EngineApi.query("/commit", "container", Names.agent(slug),
                "repo", ref.substring(0, colon), "tag", ref.substring(colon + 1), "pause", "1"), config)
                .path("Id").asText();
        Path state = stateDir(slug);
        Files.createDirectories(state.resolve("backend"));
        writeAtomic(Layout.snapshotFile(state), id + "\n");
        return id;
    }

    /**
     * The image a resume starts from. An approved capability change ({@code next/Dockerfile}, written
     * by supervise) is built first, as the bottle's agent recipe from now on ({@code capability/Dockerfile});
     * only once it built is it moved there and the older snapshot set aside (its record renamed, the
     * image kept, so nothing is lost), since that snapshot predates the change. Then: the latest
     * snapshot, else the applied capability recipe, else null (the plan's image).
     */
    String resumeImage(String slug, Path state) throws IOException {
        Path next = Layout.nextDockerfile(state);
        Path applied = Layout.capabilityDockerfile(state);
        if (Files.isRegularFile(next)) {
            String recipe = Files.readString(next, StandardCharsets.UTF_8);
            String id = images.recipeImage(Names.capabilityImage(slug), recipe);
            Files.createDirectories(applied.getParent());
            writeAtomic(applied, recipe);
            Files.delete(next);
            Path snap = Layout.snapshotFile(state);
            if (Files.exists(snap)) {
                String old = Files.readString(snap).strip();
                Files.move(snap, snap.resolveSibling(snap.getFileName() + ".before-capability"),
                        StandardCopyOption.REPLACE_EXISTING);
                progress.println("bot-bottle: " + slug + ": the approved Dockerfile replaces the agent image;"
                        + " the earlier snapshot " + old + " is kept but no longer resumed");
            }
            progress.println("bot-bottle: " + slug + ": applied the approved capability change (next/Dockerfile)");
            writeAtomic(state.resolve("Dockerfile"), recipe);
            return id;
        }
        String snapshot = snapshot(slug);
        if (snapshot != null) {
            return snapshot;
        }
        if (Files.isRegularFile(applied)) {
            String recipe = Files.readString(applied, StandardCharsets.UTF_8);
            writeAtomic(state.resolve("Dockerfile"), recipe);
            return images.recipeImage(Names.capabilityImage(slug), recipe);
        }
        return null;
    }

    /** The slug's committed image when both the record and the image exist, else null. */
    public String snapshot(String slug) throws IOException {
        Path f = Layout.snapshotFile(stateDir(slug));
        if (!Files.exists(f)) {
            return null;
        }
        String id = Files.readString(f).strip();
        try {
            return api().json("GET", path("/images/%s/json", id), null).path("Id").asText();
        } catch (NotFound e) {
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

    private static String labelFilter(String slug) {
        ArrayNode labels = EngineApi.JSON.createArrayNode().add(Names.LABEL_BACKEND + "=" + Names.BACKEND);
        if (slug != null) {
            labels.add(Names.LABEL_SLUG + "=" + slug);
        }
        ObjectNode f = EngineApi.JSON.createObjectNode();
        f.set("label", labels);
        return f.toString();
    }

    private List<JsonNode> containers(String slug) {
        List<JsonNode> out = new ArrayList<>();
        api().json("GET", EngineApi.query("/containers/json", "all", "1", "filters", labelFilter(slug)), null)
                .forEach(out::add);
        return out;
    }

    private List<JsonNode> networks(String slug) {
        List<JsonNode> out = new ArrayList<>();
        api().json("GET", EngineApi.query("/networks", "filters", labelFilter(slug)), null).forEach(out::add);
        return out;
    }

    /** Removes one bottle's containers and networks; keeps its state and snapshot. Idempotent. */
    public int stop(String slug) {
        return remove(Names.checkSlug(slug));
    }

    /** Removes every container and network this backend labelled. Idempotent. */
    public int cleanup() {
        return remove(null);
    }

    /** Removals of one bottle in this process, one at a time (the session's end and a failed health check). */
    private final java.util.concurrent.ConcurrentHashMap<String, Object> removing = new java.util.concurrent.ConcurrentHashMap<>();

    private int remove(String slug) {
        synchronized (removing.computeIfAbsent(slug == null ? "" : slug, k -> new Object())) {
            return removeNow(slug);
        }
    }

    private int removeNow(String slug) {
        int n = 0;
        for (JsonNode c : containers(slug)) {
            try {
                api().json("DELETE", EngineApi.query(path("/containers/%s", c.path("Id").asText()), "force", "1",
                        "v", "1"), null);
                n++;
            } catch (EngineApi.EngineException e) {
                // 404: gone meanwhile; 409 "removal already in progress": a concurrent stop (the attached
                // session ending while the framework shuts down) is removing it. Either way it goes.
                if (e.status() != 404 && e.status() != 409) {
                    throw e;
                }
            }
        }
        for (JsonNode net : networks(slug)) {
            try {
                api().json("DELETE", path("/networks/%s", net.path("Id").asText()), null);
                n++;
            } catch (NotFound e) {
                // as above
            } catch (EngineApi.EngineException e) {
                // a container of a concurrent removal still holds an endpoint: give it a moment, once
                sleep(500);
                try {
                    api().json("DELETE", path("/networks/%s", net.path("Id").asText()), null);
                    n++;
                } catch (NotFound gone) {
                    // removed by the other stop
                }
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
        for (JsonNode c : containers(null)) {
            String slug = c.path("Labels").path(Names.LABEL_SLUG).asText(null);
            String role = c.path("Labels").path(Names.LABEL_ROLE).asText(null);
            if (slug != null && role != null) {
                bySlug.computeIfAbsent(slug, k -> new TreeMap<>()).put(role, c.path("State").asText());
            }
        }
        for (JsonNode n : networks(null)) {
            String slug = n.path("Labels").path(Names.LABEL_SLUG).asText(null);
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

    /** Phase times on stderr when {@code BOT_BOTTLE_TIMING} is set (for bench/startup). */
    static final class Timing {
        private final PrintStream out;
        private final long t0 = System.nanoTime();
        private final boolean on = System.getenv("BOT_BOTTLE_TIMING") != null;

        Timing(PrintStream out) {
            this.out = out;
        }

        void mark(String what) {
            if (on) {
                // the wall clock too, so the startup bench can place the phase against its own clock
                out.printf("bot-bottle: timing %6.0f ms %s @%d%n", (System.nanoTime() - t0) / 1e6, what,
                        System.currentTimeMillis());
            }
        }
    }

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
