package bot.bottle.demo;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

import bot.bottle.api.approval.ApprovalInbox;
import bot.bottle.api.backend.BottleBackend;
import bot.bottle.api.backend.Preflight;
import bot.bottle.demo.core.DemoPlan;
import bot.bottle.demo.core.DemoRun;
import bot.bottle.demo.core.Launch;
import bot.bottle.demo.core.Secrets;

/**
 * {@code bot-bottle demo}: a scripted rogue agent in a real bottle on the local Docker engine, every
 * guard narrated as it holds. The command checks the engine and the base image, then runs the bottle
 * in a child kernel whose environment holds the demo's API token (see {@link Launch}); it always tears
 * the bottle down, also when the child dies or the user presses Ctrl-C.
 */
@Component(service = DemoCommand.class, property = {"osgi.command.scope=bottle", "osgi.command.function=demo"})
public final class DemoCommand {
    /** Exit status when the machine cannot run the demo (engine, base image, bridge). */
    static final int NOT_READY = 3;
    /** Exit status when a guard did not hold. */
    static final int GUARD_FAILED = 1;

    @Reference(target = "(" + BottleBackend.ID_PROPERTY + "=docker)")
    private BottleBackend backend;

    @Reference
    private ApprovalInbox inbox;

    private final BundleContext context;
    private volatile Process child;
    private volatile String activeSlug;
    private volatile boolean stopping;

    @Activate
    public DemoCommand(BundleContext context) {
        this.context = context;
    }

    @Deactivate
    void deactivate() {
        stopping = true;
        // Ctrl-C or SIGTERM stops the framework: the child gets the same signal; give it time to tear
        // down, then make sure ourselves.
        Process c = child;
        if (c != null) {
            c.destroy();
            try {
                c.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            c.destroyForcibly();
        }
        String slug = activeSlug;
        if (slug != null) {
            DemoRun.teardown(backend, home(), slug);
        }
    }

    private String prop(String key) {
        String v = context.getProperty(key);
        return v == null ? System.getProperty(key) : v;
    }

    private Path home() {
        String h = prop("bot.bottle.home");
        if (h == null || h.isBlank()) {
            h = System.getenv("BOT_BOTTLE_HOME");
        }
        return Path.of(h == null || h.isBlank() ? System.getProperty("user.home") + "/.bot-bottle" : h);
    }

    @Descriptor("watch a scripted rogue agent try every way out of a real bottle on this machine's Docker engine"
            + " (no API key, no internet); exits 0 only if every guard held")
    public void demo(
            @Descriptor("internal: run the demo's bottle in this process (the demo starts it itself)")
            @Parameter(names = "--child", presentValue = "true", absentValue = "false") boolean childMode)
            throws Exception {
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, "UTF-8");
        if (childMode) {
            runChild(out);
        } else {
            runParent(out);
        }
    }

    private void runChild(PrintStream out) throws Exception {
        String slug = System.getenv(Launch.ENV_SLUG);
        String upstream = System.getenv(Launch.ENV_UPSTREAM);
        String token = System.getenv(DemoPlan.TOKEN_REF);
        if (slug == null || upstream == null || token == null || !slug.startsWith("demo-")) {
            throw new DemoFailure(64, "demo --child is started by 'bot-bottle demo' itself; run that instead");
        }
        int colon = upstream.lastIndexOf(':');
        String address = upstream.substring(0, colon);
        int port = Integer.parseInt(upstream.substring(colon + 1));
        activeSlug = slug;
        boolean held;
        try {
            held = new DemoRun(backend, inbox, home(), slug, token, address, port, out,
                    () -> stopping).run();
        } catch (DemoRun.NotReady e) {
            throw new DemoFailure(NOT_READY, e.getMessage());
        } finally {
            activeSlug = null;
        }
        if (stopping) {
            throw new DemoFailure(130, "interrupted; the bottle " + slug + " was torn down");
        }
        if (!held) {
            throw new DemoFailure(GUARD_FAILED, "not every guard held (see the table above)");
        }
    }

    private void runParent(PrintStream out) throws Exception {
        out.println("bot-bottle demo: a scripted rogue agent against every guard of a bottle");
        Preflight pf = backend.preflight();
        for (Preflight.Check c : pf.checks()) {
            if (!c.ok()) {
                throw new DemoFailure(NOT_READY, c.name() + ": " + c.detail());
            }
        }
        out.println("engine: " + pf.checks().get(0).detail());
        String dist = prop("bot.bottle.dist");
        if (dist == null || dist.isBlank()) {
            throw new DemoFailure(NOT_READY, "bot.bottle.dist is not set: run the demo through the bot-bottle launcher");
        }
        Path javaHome = Path.of(System.getProperty("java.home"));
        Path home = home();
        ensureBaseImage(out, javaHome, Path.of(dist), home);
        String address = Launch.bridgeAddress("docker0").orElseThrow(() -> new DemoFailure(NOT_READY,
                "no docker0 bridge with an IPv4 address on this host: the demo's stand-in upstream listens there,"
                        + " so it needs the local engine's default bridge"));
        int port = Launch.freePort(address);
        String slug = "demo-" + Secrets.hex(3);
        String token = Secrets.apiToken();

        Map<String, String> props = new LinkedHashMap<>();
        props.put("bot.bottle.dist", dist);
        for (String k : List.of("bot.bottle.docker.host", "bot.bottle.docker.runtime", "bot.bottle.docker.base")) {
            String v = prop(k);
            if (v != null && !v.isBlank()) {
                props.put(k, v);
            }
        }
        String userOpts = prop("bot.bottle.docker.sidecar.opts");
        props.put("bot.bottle.docker.sidecar.opts", (userOpts == null || userOpts.isBlank() ? "" : userOpts.strip() + " ")
                + DemoPlan.sidecarOpts(slug, address, port));
        ProcessBuilder pb = new ProcessBuilder(Launch.childCommand(javaHome, Path.of(dist), props)).inheritIO();
        pb.environment().put("BOT_BOTTLE_HOME", home.toString());
        pb.environment().put(DemoPlan.TOKEN_REF, token);
        pb.environment().put(Launch.ENV_SLUG, slug);
        pb.environment().put(Launch.ENV_UPSTREAM, address + ":" + port);
        int status;
        activeSlug = slug;
        try {
            Process p = pb.start();
            child = p;
            status = p.waitFor();
            child = null;
        } finally {
            // the child tears down itself; this covers a child that crashed or was killed
            DemoRun.teardown(backend, home, slug);
            activeSlug = null;
        }
        if (status != 0) {
            throw new DemoFailure(status, status == GUARD_FAILED ? "the demo failed: not every guard held"
                    : "the demo did not complete (status " + status + ")");
        }
        out.println("bot-bottle demo: every guard held; the bottle " + slug + " is gone.");
    }

    /**
     * The base image must exist before the bottle's images can be built: when it is missing, the
     * demo runs {@code bot-bottle images bootstrap} (the backend's own command) in a child kernel.
     */
    private void ensureBaseImage(PrintStream out, Path javaHome, Path dist, Path home) throws Exception {
        String base = prop("bot.bottle.docker.base");
        if (base == null || base.isBlank()) {
            base = "bot-bottle/base:bookworm";
        }
        Process inspect;
        try {
            inspect = new ProcessBuilder("docker", "image", "inspect", "--format", "{{.Id}}", base)
                    .redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            throw new DemoFailure(NOT_READY, "the docker CLI is not on PATH (install docker.io)");
        }
        inspect.getInputStream().readAllBytes();
        if (!inspect.waitFor(60, TimeUnit.SECONDS)) {
            inspect.destroyForcibly();
            throw new DemoFailure(NOT_READY, "docker image inspect " + base + " did not answer within 60 s");
        }
        if (inspect.exitValue() == 0) {
            out.println("base image: " + base + " present");
            return;
        }
        out.println("base image: " + base + " missing; running 'bot-bottle images bootstrap' (about 1.5 min, once)");
        List<String> cmd = Launch.childCommand(javaHome, dist, Map.of("bot.bottle.dist", dist.toString()));
        cmd = new java.util.ArrayList<>(cmd.subList(0, cmd.size() - 2));
        cmd.add("images");
        cmd.add("bootstrap");
        ProcessBuilder pb = new ProcessBuilder(cmd).inheritIO();
        pb.environment().put("BOT_BOTTLE_HOME", home.toString());
        int s = pb.start().waitFor();
        if (s != 0) {
            throw new DemoFailure(NOT_READY, "'bot-bottle images bootstrap' failed (status " + s
                    + "); the demo needs the base image " + base);
        }
    }
}
