package bot.bottle.backend.docker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import bot.bottle.api.backend.BottleBackend;
import bot.bottle.api.backend.ExecResult;
import bot.bottle.api.plan.ImageRecipe;
import bot.bottle.backend.conformance.BackendConformance;
import bot.bottle.backend.docker.core.EngineApi;
import bot.bottle.backend.docker.core.Images;
import bot.bottle.backend.docker.core.Layout;
import bot.bottle.backend.docker.core.Names;

/**
 * The conformance suite against the local Docker engine. Needs the engine, the bootstrapped base
 * image and a built distribution ({@code launcher/target/dist}, or {@code -Dbot.bottle.dist}); skips
 * with the reason when the engine cannot run, and fails when the engine runs but the base image is
 * missing (CI must bootstrap it).
 */
abstract class DockerConformance extends BackendConformance {
    static final Path DIST = Path.of(System.getProperty("bot.bottle.dist", "../launcher/target/dist"))
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
        if (backend != null && backend.engine().unreachableReason() == null) {
            // the commit check's snapshot: images outlive cleanup by design, so the test removes its own
            String filter = EngineApi.query("/images/json", "filters", "{\"label\":[\"" + Names.LABEL_ROLE + "="
                    + Names.ROLE_SNAPSHOT + "\"]}");
            for (JsonNode img : api().json("GET", filter, null)) {
                String slug = img.path("Labels").path(Names.LABEL_SLUG).asText("");
                if (slug.startsWith("conf-") && slug.endsWith(run)) {
                    api().json("DELETE", "/images/" + img.path("Id").asText() + "?force=1", null);
                }
            }
        }
        if (home != null) {
            try (var walk = Files.walk(home)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /**
     * The internal network's block of addresses is drawn at random; one that another network already
     * uses is refused by the engine and the next is taken, and the bottle works on it.
     */
    @Test
    @Order(10)
    void anInternalBlockInUseIsSkipped() throws Exception {
        String slug = "conf-s-" + run;
        int taken = 1000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(6000);
        int free = taken + 1;
        String squatter = "bb-conformance-squat-" + run;
        // without an address on the host (as the bottles' own): only the engine knows the block is taken
        ObjectNode net = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("Name", squatter).put("Internal", true);
        net.putObject("Options").put("com.docker.network.bridge.inhibit_ipv4", "true");
        net.putObject("IPAM").putArray("Config").addObject().put("Subnet", block(taken));
        api().json("POST", "/networks/create", net);
        java.util.Iterator<Integer> picks = java.util.List.of(taken, free).iterator();
        backend.bottles().subnetRandom(new java.util.random.RandomGenerator() {
            @Override
            public long nextLong() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int nextInt(int bound) {
                return picks.next();
            }
        });
        try {
            backend.launch(plan(slug), false);
            JsonNode internal = api().json("GET", "/networks/" + plan(slug).networks().internal(), null);
            assertEquals(block(free), internal.path("IPAM").path("Config").path(0).path("Subnet").asText());
            ExecResult r = agent(slug, "getent hosts sidecar");
            assertTrue(r.stdout().startsWith(blockAddress(free, 2) + " "), "the sidecar at the block's .2: " + r);
        } finally {
            backend.bottles().subnetRandom(new java.security.SecureRandom());
            backend.stop(slug);
            api().json("DELETE", "/networks/" + squatter, null);
        }
    }

    /** The n-th /28 of 198.18.0.0/15. */
    private static String block(int n) {
        return blockAddress(n, 0) + "/28";
    }

    private static String blockAddress(int n, int host) {
        int a = (198 << 24) | (18 << 16) | (n * 16 + host);
        return ((a >>> 24) & 255) + "." + ((a >>> 16) & 255) + "." + ((a >>> 8) & 255) + "." + (a & 255);
    }

    /**
     * Supervise's approved capability change ({@code next/Dockerfile} in the bottle's state) is what a
     * resume starts from, over an earlier snapshot (kept, no longer resumed), and stays the bottle's
     * recipe on later resumes. Docker-specific: the state layout is this backend's.
     */
    @Test
    @Order(9)
    void anApprovedCapabilityChangeAppliesOnResume() throws Exception {
        String slug = "conf-n-" + run;
        String marker = "capability-" + run;
        try {
            backend.launch(plan(slug), false);
            assertEquals(0, agent(slug, "echo before > ~/before.txt").exitCode());
            backend.commit(slug);
            backend.stop(slug);
            Path state = backend.bottles().stateDir(slug);
            Files.createDirectories(Layout.nextDockerfile(state).getParent());
            Files.writeString(Layout.nextDockerfile(state), Images.resource("agent-default.Dockerfile")
                    + "\nUSER root\nRUN echo " + marker + " > /etc/bot-bottle-capability\nUSER agent\n");

            backend.launch(plan(slug), true);
            ExecResult r = agent(slug, "cat /etc/bot-bottle-capability");
            assertEquals(marker, r.stdout().strip(), "the approved Dockerfile built the agent: " + r);
            assertFalse(Files.exists(Layout.nextDockerfile(state)), "applied once");
            assertTrue(Files.readString(Layout.capabilityDockerfile(state)).contains(marker));
            assertTrue(Files.exists(Layout.snapshotFile(state).resolveSibling(Layout.snapshotFile(state).getFileName()
                    + ".before-capability")), "the earlier snapshot's record is kept aside");
            backend.stop(slug);

            backend.launch(plan(slug), true);
            assertEquals(marker, agent(slug, "cat /etc/bot-bottle-capability").stdout().strip(),
                    "a later resume keeps the capability");
            backend.stop(slug);
        } finally {
            backend.stop(slug);
            try {
                api().json("DELETE", "/images/" + Names.capabilityImage(slug) + "?force=1", null);
            } catch (EngineApi.NotFound e) {
                // never built
            }
        }
    }

    @Override
    protected BottleBackend backend() {
        return backend;
    }

    private EngineApi api() {
        return backend.engine().api();
    }

    @Override
    protected ImageRecipe agentImage() {
        return new ImageRecipe("provider", "", Images.resource("agent-default.Dockerfile"),
                "bot-bottle-agent-conformance:latest");
    }

    @Override
    protected ExecResult execInSidecar(String slug, List<String> command) throws Exception {
        ObjectNode create = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode()
                .put("AttachStdout", true).put("AttachStderr", true);
        create.set("Cmd", new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(command));
        String id = api().json("POST", "/containers/" + Names.sidecar(slug) + "/exec", create).path("Id").asText();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        api().exchange("POST", "/exec/" + id + "/start", "{\"Detach\":false,\"Tty\":false}".getBytes(),
                "application/json", in -> {
                    try {
                        EngineApi.demux(in, out, err);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
        JsonNode code = api().json("GET", "/exec/" + id + "/json", null).path("ExitCode");
        return new ExecResult(code.isNumber() ? code.asInt() : -1, out.toString(), err.toString());
    }

    @Override
    protected void killSidecar(String slug) {
        api().json("POST", "/containers/" + Names.sidecar(slug) + "/kill?signal=KILL", null);
    }

    @Override
    protected List<String> addressesOf(String slug) {
        List<String> ips = new ArrayList<>();
        for (String name : List.of(Names.agent(slug), Names.sidecar(slug))) {
            api().json("GET", "/containers/" + name + "/json", null).path("NetworkSettings").path("Networks")
                    .forEach(n -> ips.add(n.path("IPAddress").asText()));
        }
        return ips;
    }

    @Override
    protected List<String> labelledResources() {
        String filter = EngineApi.query("", "filters", "{\"label\":[\"" + Names.LABEL_BACKEND + "=" + Names.BACKEND + "\"]}");
        List<String> out = new ArrayList<>();
        api().json("GET", "/containers/json" + filter + "&all=1", null)
                .forEach(c -> out.add("container " + c.path("Names").toString()));
        api().json("GET", "/networks" + filter, null).forEach(n -> out.add("network " + n.path("Name").asText()));
        return out;
    }

    @Override
    protected boolean egressRunning(String slug) {
        return backend.images().sidecarServices().contains("egress");
    }

}
