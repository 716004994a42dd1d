package bot.bottle.backend.docker.core;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;

import bot.bottle.api.backend.Preflight;

/**
 * The connection to one Docker engine: created lazily (nothing connects until a command needs the
 * engine), and a preflight that says in one line what is wrong.
 */
public final class DockerEngine implements AutoCloseable {
    /** Docker's own default; {@code DOCKER_HOST} (environment or property) overrides it. */
    public static final String DEFAULT_HOST = "unix:///var/run/docker.sock";
    public static final String GVISOR = "runsc";

    private final String host;
    private final String runtimeChoice;
    private final EngineApi api;

    /**
     * @param host          the engine address ({@code unix:///...}, {@code tcp://...}), null for the default
     * @param runtimeChoice {@code auto} (runsc when registered), {@code runc}, or a runtime name
     */
    public DockerEngine(String host, String runtimeChoice) {
        this.host = host == null || host.isBlank() ? DEFAULT_HOST : host;
        this.runtimeChoice = runtimeChoice == null || runtimeChoice.isBlank() ? "auto" : runtimeChoice;
        this.api = new EngineApi(this.host);
    }

    public String host() {
        return host;
    }

    /** The engine's API; connections are opened per request, so this is cheap and never stale. */
    public EngineApi api() {
        return api;
    }

    /** The one-line reason the engine is unusable, or null when it answers. */
    public String unreachableReason() {
        if (host.startsWith("unix://")) {
            Path sock = Path.of(host.substring("unix://".length()));
            if (!Files.exists(sock)) {
                return "Docker is not running: no socket at " + sock
                        + " (install docker.io and start dockerd, or set DOCKER_HOST)";
            }
            if (!Files.isReadable(sock) || !Files.isWritable(sock)) {
                return "Docker socket " + sock + " is not accessible to this user (add it to the docker group)";
            }
        }
        try {
            api.exchange("GET", "/_ping", null, null, in -> { });
            return null;
        } catch (RuntimeException e) {
            return "Docker engine at " + host + " does not answer: " + oneLine(e);
        }
    }

    /** The runtimes the engine has registered (runc, runsc, ...), sorted. */
    public List<String> runtimes() {
        JsonNode r = api.json("GET", "/info", null).path("Runtimes");
        TreeSet<String> names = new TreeSet<>();
        r.fieldNames().forEachRemaining(names::add);
        return new ArrayList<>(names);
    }

    /**
     * The runtime agents run under: with {@code auto}, gVisor when the engine has it registered,
     * otherwise the engine's default (""). An explicitly named runtime must be registered.
     */
    public String agentRuntime() {
        List<String> registered = runtimes();
        if (runtimeChoice.equals("auto")) {
            return registered.contains(GVISOR) ? GVISOR : "";
        }
        if (runtimeChoice.equals("runc") || runtimeChoice.equals("default")) {
            return "";
        }
        if (!registered.contains(runtimeChoice)) {
            throw new IllegalStateException("runtime " + runtimeChoice + " is not registered with the Docker engine"
                    + " (registered: " + String.join(", ", registered) + "; see /etc/docker/daemon.json)");
        }
        return runtimeChoice;
    }

    /** Engine reachable, its version, and the agents' runtime: one check each. */
    public Preflight preflight() {
        List<Preflight.Check> checks = new ArrayList<>();
        String reason = unreachableReason();
        if (reason != null) {
            checks.add(new Preflight.Check("docker", false, reason));
            return new Preflight(checks);
        }
        try {
            JsonNode v = api.json("GET", "/version", null);
            checks.add(new Preflight.Check("docker", true, "engine " + v.path("Version").asText() + ", API "
                    + v.path("ApiVersion").asText() + " at " + host));
            List<String> registered = runtimes();
            String rt = agentRuntime();
            String detail = rt.isEmpty()
                    ? "agents run under runc (gVisor runsc not registered; see docs/docker.md)"
                    : "agents run under " + rt;
            checks.add(new Preflight.Check("runtime", true, detail + "; registered: " + String.join(", ", registered)));
        } catch (RuntimeException e) {
            checks.add(new Preflight.Check("runtime", false, oneLine(e)));
        }
        return new Preflight(checks);
    }

    static String oneLine(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t && (t.getMessage() == null || t.getMessage().isBlank())) {
            t = t.getCause();
        }
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        m = m.strip();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    @Override
    public void close() {
        // connections are per request: nothing stays open
    }
}
