package bot.bottle.backend.docker;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

import bot.bottle.api.backend.BottleBackend;
import bot.bottle.api.egress.EgressCa;
import bot.bottle.api.backend.BottleStatus;
import bot.bottle.api.backend.ExecResult;
import bot.bottle.api.backend.Preflight;
import bot.bottle.api.plan.BottlePlan;
import bot.bottle.backend.docker.core.Bottles;
import bot.bottle.backend.docker.core.DockerEngine;
import bot.bottle.backend.docker.core.Images;

/**
 * Runs bottles on a Docker engine: an internal network (no route out, no host address) with the agent
 * and the sidecar, an egress network for the sidecar only, gVisor for the agent when registered.
 *
 * <p>Framework properties (falling back to system properties, then the environment where named):
 * {@code bot.bottle.docker.host} (env {@code DOCKER_HOST}), {@code bot.bottle.docker.runtime}
 * ({@code auto}: runsc when registered; {@code runc}; or a runtime name), {@code bot.bottle.docker.base}
 * (base image of the project's recipes, default {@value Images#DEFAULT_BASE}), plus the kernel's
 * {@code bot.bottle.home} and {@code bot.bottle.dist}; {@code bot.bottle.docker.sidecar.opts}: extra JVM
 * options for the sidecar's kernel; {@code bot.bottle.docker.upstream.ca} (env
 * {@code BOT_BOTTLE_UPSTREAM_CA}): a PEM file of extra CAs the egress proxy trusts upstream (a
 * TLS-inspecting network proxy), copied into each bottle's sidecar state.
 */
@Component(service = BottleBackend.class, property = BottleBackend.ID_PROPERTY + "=docker")
public final class DockerBottleBackend implements BottleBackend {

    private final DockerEngine engine;
    private final Images images;
    private final Bottles bottles;
    private final PrintStream progress;
    /** Bottles this process runs attached: torn down if the framework stops first (Ctrl-C, SIGTERM). */
    private final Set<String> attached = ConcurrentHashMap.newKeySet();

    /** Makes the bottle's CA on the host when present (the egress bundle), so the sidecar need not. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile EgressCa egressCa;

    @Activate
    public DockerBottleBackend(BundleContext context) {
        this(p -> prop(context, p));
    }

    /** For tests and tools: the same configuration read through a function. */
    public DockerBottleBackend(java.util.function.Function<String, String> config) {
        this(config, System::getenv);
    }

    /**
     * @param config  configuration by property name (null when unset)
     * @param hostEnv where token values are read, normally the process environment
     */
    public DockerBottleBackend(java.util.function.Function<String, String> config,
            java.util.function.Function<String, String> hostEnv) {
        String host = firstNonBlank(config.apply("bot.bottle.docker.host"), System.getenv("DOCKER_HOST"));
        this.engine = new DockerEngine(host, config.apply("bot.bottle.docker.runtime"));
        // Progress goes to the real stderr so a command's stdout (text or JSON) stays clean.
        this.progress = new PrintStream(new FileOutputStream(FileDescriptor.err), true);
        Path home = Path.of(firstNonBlank(config.apply("bot.bottle.home"), System.getenv("BOT_BOTTLE_HOME"),
                System.getProperty("user.home") + "/.bot-bottle"));
        this.images = new Images(engine, config.apply("bot.bottle.docker.base"), progress, home.resolve("cache"));
        Path dist = Path.of(firstNonBlank(config.apply("bot.bottle.dist"), System.getenv("BOT_BOTTLE_DIST"), "."));
        String ca = firstNonBlank(config.apply("bot.bottle.docker.upstream.ca"),
                System.getenv("BOT_BOTTLE_UPSTREAM_CA"));
        this.bottles = new Bottles(engine, images, home, dist, progress, hostEnv,
                config.apply("bot.bottle.docker.sidecar.opts"), ca == null ? null : Path.of(ca));
        bottles.caMaker(() -> egressCa);
    }

    private static String prop(BundleContext c, String key) {
        String v = c.getProperty(key);
        return v == null ? System.getProperty(key) : v;
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }

    @Deactivate
    void deactivate() {
        for (String slug : attached) {
            try {
                bottles.stop(slug);
            } catch (RuntimeException e) {
                progress.println("bot-bottle: could not tear down " + slug + ": " + e.getMessage());
            }
        }
        engine.close();
    }

    public DockerEngine engine() {
        return engine;
    }

    public Images images() {
        return images;
    }

    public Bottles bottles() {
        return bottles;
    }

    @Override
    public String id() {
        return "docker";
    }

    @Override
    public Preflight preflight() {
        return engine.preflight();
    }

    @Override
    public int run(BottlePlan plan) throws Exception {
        return session(plan, false);
    }

    @Override
    public int run(BottlePlan plan, Map<String, String> hostCredentials) throws Exception {
        return session(plan, false, hostCredentials);
    }

    @Override
    public int resume(String slug) throws Exception {
        return session(bottles.lastPlan(slug), true, Map.of());
    }

    private int session(BottlePlan plan, boolean resume) throws Exception {
        return session(plan, resume, Map.of());
    }

    private int session(BottlePlan plan, boolean resume, Map<String, String> credentials) throws Exception {
        String slug = plan.slug();
        attached.add(slug);
        Bottles.Launched l = null;
        try {
            l = bottles.launch(plan, resume, false, credentials);
            // said before the docker CLI takes the terminal (raw mode); the agent is released once the
            // sidecar is reachable (attach)
            progress.println("bot-bottle: " + slug + " ready (agent under " + l.runtime() + "; sidecar "
                    + (l.services().isEmpty() ? "without services" : String.join(", ", l.services())) + ")");
            // The agent may already run while the sidecar finishes its start: if that fails, the bottle
            // stops (the agent was cut off meanwhile: its requests waited at the proxy's port). A failure
            // before the release (reachable) is thrown by attach instead.
            java.util.concurrent.CompletableFuture<Void> reachable = l.reachable();
            l.health().whenComplete((ok, e) -> {
                if (e != null && !(e instanceof java.util.concurrent.CancellationException) && reachable.isDone()
                        && !reachable.isCompletedExceptionally()) {
                    // \r\n: the terminal may be in raw mode (the docker CLI is attached)
                    progress.print("\r\nbot-bottle: " + slug + ": " + (e.getMessage() == null ? e : e.getMessage())
                            + " (stopping the bottle)\r\n");
                    try {
                        bottles.stop(slug);
                    } catch (RuntimeException suppressed) {
                        progress.println("bot-bottle: could not tear down " + slug + ": " + suppressed.getMessage());
                    }
                }
            });
            int status = bottles.attach(slug, reachable);
            return l.health().isCompletedExceptionally() && status == 0 ? 1 : status;
        } finally {
            if (l != null) {
                // done with them: a check still running stops quietly
                l.reachable().cancel(false);
                l.health().cancel(false);
                l.settle(); // the sidecar's path may still be making things: the stop below removes them too
            }
            try {
                bottles.stop(slug);
            } finally {
                attached.remove(slug);
            }
        }
    }

    @Override
    public void launch(BottlePlan plan, boolean resume) throws Exception {
        bottles.launch(plan, resume, true);
    }

    @Override
    public ExecResult exec(String slug, List<String> command, Duration timeout) throws Exception {
        return bottles.exec(slug, command, timeout);
    }

    @Override
    public void stop(String slug) {
        bottles.stop(slug);
    }

    @Override
    public String commit(String slug) throws IOException {
        return bottles.commit(slug);
    }

    @Override
    public List<BottleStatus> list() {
        if (engine.unreachableReason() != null) {
            return List.of();
        }
        return bottles.list();
    }

    @Override
    public int cleanup() {
        String reason = engine.unreachableReason();
        if (reason != null) {
            // nothing can be labelled on an engine that is not there; say so instead of pretending
            throw new IllegalStateException(reason);
        }
        return bottles.cleanup();
    }

    /** Whether a state directory exists for the slug (resume needs one). */
    public boolean known(String slug) {
        return Files.exists(bottles.stateDir(slug));
    }
}
