package bot.bottle.backend.docker.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Info;
import com.github.dockerjava.api.model.Version;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;

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
    private volatile DockerClient client;

    /**
     * @param host          the engine address ({@code unix:///...}, {@code tcp://...}), null for the default
     * @param runtimeChoice {@code auto} (runsc when registered), {@code runc}, or a runtime name
     */
    public DockerEngine(String host, String runtimeChoice) {
        this.host = host == null || host.isBlank() ? DEFAULT_HOST : host;
        this.runtimeChoice = runtimeChoice == null || runtimeChoice.isBlank() ? "auto" : runtimeChoice;
    }

    public String host() {
        return host;
    }

    public DockerClient client() {
        DockerClient c = client;
        if (c == null) {
            synchronized (this) {
                if (client == null) {
                    client = open();
                }
                c = client;
            }
        }
        return c;
    }

    private DockerClient open() {
        DockerClientConfig cfg = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(host).build();
        ApacheDockerHttpClient http = new ApacheDockerHttpClient.Builder()
                .dockerHost(cfg.getDockerHost())
                .sslConfig(cfg.getSSLConfig())
                .maxConnections(32)
                .connectionTimeout(Duration.ofSeconds(3))
                .build();
        return DockerClientImpl.getInstance(cfg, http);
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
            client().pingCmd().exec();
            return null;
        } catch (RuntimeException e) {
            return "Docker engine at " + host + " does not answer: " + oneLine(e);
        }
    }

    /** The runtimes the engine has registered (runc, runsc, ...), sorted. */
    public List<String> runtimes() {
        Info info = client().infoCmd().exec();
        Map<String, ?> r = info.getRuntimes();
        return r == null ? List.of() : new ArrayList<>(new TreeSet<>(r.keySet()));
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
            Version v = client().versionCmd().exec();
            checks.add(new Preflight.Check("docker", true, "engine " + v.getVersion() + ", API " + v.getApiVersion()
                    + " at " + host));
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
        DockerClient c = client;
        client = null;
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                // closing an idle connection pool: nothing to report
            }
        }
    }
}
