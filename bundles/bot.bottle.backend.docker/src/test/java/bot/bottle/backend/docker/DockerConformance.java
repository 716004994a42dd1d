package bot.bottle.backend.docker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.api.model.StreamType;

import bot.bottle.api.backend.BottleBackend;
import bot.bottle.api.backend.ExecResult;
import bot.bottle.api.plan.ImageRecipe;
import bot.bottle.backend.conformance.BackendConformance;
import bot.bottle.backend.docker.core.Images;
import bot.bottle.backend.docker.core.Names;

/**
 * The conformance suite against the local Docker engine. Needs the engine, the bootstrapped base
 * image and a built distribution ({@code launcher/target/dist}, or {@code -Dbot.bottle.dist}); skips
 * with the reason when the engine cannot run, and fails when the engine runs but the base image is
 * missing (CI must bootstrap it).
 */
abstract class DockerConformance extends BackendConformance {
    static final Path DIST = Path.of(System.getProperty("bot.bottle.dist", "../../launcher/target/dist"))
            .toAbsolutePath().normalize();

    private DockerBottleBackend backend;
    private Path home;

    /** {@code runc} or {@code runsc}. */
    abstract String runtime();

    @Override
    protected String whyCannotRun() {
        if (backend == null) {
            try {
                home = Files.createTempDirectory("bb-conformance-");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            Map<String, String> cfg = new HashMap<>();
            cfg.put("bot.bottle.home", home.toString());
            cfg.put("bot.bottle.dist", DIST.toString());
            cfg.put("bot.bottle.docker.runtime", runtime());
            backend = new DockerBottleBackend(cfg::get, hostEnv()::get);
        }
        String reason = backend.engine().unreachableReason();
        if (reason != null) {
            return reason;
        }
        if (!backend.engine().runtimes().contains(runtime())) {
            return "runtime " + runtime() + " is not registered with the Docker engine (see docs/docker.md)";
        }
        if (!Files.isDirectory(DIST.resolve("bundle"))) {
            return "no distribution at " + DIST + " (build it: mvn -pl launcher -am install -DskipTests)";
        }
        backend.images().baseId(); // engine up but base image missing: fail, CI must bootstrap it
        return null;
    }

    @AfterAll
    void removeHome() throws Exception {
        if (home != null) {
            try (var walk = Files.walk(home)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Override
    protected BottleBackend backend() {
        return backend;
    }

    private DockerClient docker() {
        return backend.engine().client();
    }

    @Override
    protected ImageRecipe agentImage() {
        return new ImageRecipe("provider", "", Images.resource("agent-default.Dockerfile"),
                "bot-bottle-agent-conformance:latest");
    }

    @Override
    protected ExecResult execInSidecar(String slug, List<String> command) throws Exception {
        String id = docker().execCreateCmd(Names.sidecar(slug)).withCmd(command.toArray(String[]::new))
                .withAttachStdout(true).withAttachStderr(true).exec().getId();
        StringBuilder out = new StringBuilder();
        StringBuilder err = new StringBuilder();
        ResultCallback.Adapter<Frame> cb = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Frame f) {
                (f.getStreamType() == StreamType.STDERR ? err : out).append(new String(f.getPayload()));
            }
        };
        docker().execStartCmd(id).exec(cb).awaitCompletion(EXEC.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        Long code = docker().inspectExecCmd(id).exec().getExitCodeLong();
        return new ExecResult(code == null ? -1 : code.intValue(), out.toString(), err.toString());
    }

    @Override
    protected void killSidecar(String slug) {
        docker().killContainerCmd(Names.sidecar(slug)).withSignal("KILL").exec();
    }

    @Override
    protected List<String> addressesOf(String slug) {
        List<String> ips = new ArrayList<>();
        for (String name : List.of(Names.agent(slug), Names.sidecar(slug))) {
            InspectContainerResponse r = docker().inspectContainerCmd(name).exec();
            for (ContainerNetwork n : r.getNetworkSettings().getNetworks().values()) {
                ips.add(n.getIpAddress());
            }
        }
        return ips;
    }

    @Override
    protected List<String> labelledResources() {
        List<String> out = new ArrayList<>();
        for (Container c : docker().listContainersCmd().withShowAll(true)
                .withLabelFilter(List.of(Names.LABEL_BACKEND + "=" + Names.BACKEND)).exec()) {
            out.add("container " + String.join(",", c.getNames()));
        }
        for (Network n : docker().listNetworksCmd().withFilter("label", List.of(Names.LABEL_BACKEND + "=" + Names.BACKEND))
                .exec()) {
            out.add("network " + n.getName());
        }
        return out;
    }

    @Override
    protected boolean egressRunning(String slug) {
        return backend.images().sidecarServices().contains("egress");
    }

    static Duration timeout() {
        return Duration.ofSeconds(30);
    }
}
