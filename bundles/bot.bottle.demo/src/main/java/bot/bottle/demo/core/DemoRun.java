package bot.bottle.demo.core;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import bot.bottle.api.approval.ApprovalInbox;
import bot.bottle.api.backend.BottleBackend;

/**
 * One demo run in the process that holds the API token in its environment: the state directory with
 * the upstream CA and repository, the stand-in upstream, the bottle's launch, the rogue agent's steps,
 * the summary, and the teardown (always).
 */
public final class DemoRun {
    private final BottleBackend backend;
    private final ApprovalInbox inbox;
    private final Path home;
    private final String slug;
    private final String token;
    private final String address;
    private final int port;
    private final Narrator narrator;
    private final java.util.function.BooleanSupplier stopping;

    /** @param stopping true once the process is shutting down (Ctrl-C, SIGTERM): remaining steps are skipped */
    public DemoRun(BottleBackend backend, ApprovalInbox inbox, Path home, String slug, String token, String address,
            int port, PrintStream out, java.util.function.BooleanSupplier stopping) {
        this.stopping = stopping;
        this.backend = backend;
        this.inbox = inbox;
        this.home = home;
        this.slug = slug;
        this.token = token;
        this.address = address;
        this.port = port;
        this.narrator = new Narrator(out);
    }

    /** The machine could not run the demo at all (as opposed to a guard that did not hold). */
    public static final class NotReady extends Exception {
        private static final long serialVersionUID = 1L;

        NotReady(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public Narrator narrator() {
        return narrator;
    }

    public static Path stateDir(Path home, String slug) {
        return home.resolve("state").resolve(slug);
    }

    /** Runs the demo; returns whether every guard held. Tears the bottle down whatever happens. */
    public boolean run() throws Exception {
        Path state = stateDir(home, slug);
        StandIn standIn = null;
        try {
            Files.createDirectories(state.resolve("demo"));
            DemoCa ca = DemoCa.create(List.of(DemoPlan.API_HOST, DemoPlan.NEW_HOST));
            Files.writeString(state.resolve("demo").resolve("upstream-ca.pem"), ca.caPem());
            Files.writeString(state.resolve("demo").resolve("gitgate.json"), DemoPlan.gitgateConfig(slug));
            HostGit.createUpstream(state.resolve("demo").resolve("upstream").resolve(DemoPlan.REPO + ".git"));
            standIn = StandIn.start(new InetSocketAddress(address, port), ca.serverContext());
            narrator.say("stand-in upstream for " + DemoPlan.API_HOST + " and " + DemoPlan.NEW_HOST + " on "
                    + address + ":" + standIn.port() + " (TLS from a throwaway demo CA the sidecar trusts)");
            narrator.say("starting bottle " + slug + " (the first run builds the agent image; the agent idles,"
                    + " the demo drives it)...");
            long t0 = System.nanoTime();
            try {
                backend.launch(DemoPlan.plan(slug), false);
            } catch (Exception e) {
                throw new NotReady("could not start the demo bottle: " + Narrator.oneLine(e.getMessage()), e);
            }
            narrator.say("bottle " + slug + " is up in " + (System.nanoTime() - t0) / 1_000_000 / 100 / 10.0
                    + " s: agent on an internal network whose only peer is the sidecar (egress proxy, git gate,"
                    + " supervise)");
            new RogueAgent(new AgentShell(backend, slug), inbox, narrator, slug, state, standIn, token, address,
                    stopping)
                    .runAll();
        } finally {
            if (standIn != null) {
                standIn.close();
            }
            teardown(backend, home, slug);
        }
        narrator.say("");
        narrator.say(narrator.summary());
        return narrator.allHeld();
    }

    /** Stops the bottle and removes its state directory; idempotent, never throws. */
    public static void teardown(BottleBackend backend, Path home, String slug) {
        try {
            backend.stop(slug);
        } catch (Exception e) {
            System.err.println("bot-bottle demo: could not stop " + slug + ": " + Narrator.oneLine(e.getMessage()));
        }
        deleteTree(stateDir(home, slug));
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    System.err.println("bot-bottle demo: could not remove " + p + ": " + e.getMessage());
                }
            });
        } catch (IOException e) {
            System.err.println("bot-bottle demo: could not remove " + dir + ": " + e.getMessage());
        }
    }
}
