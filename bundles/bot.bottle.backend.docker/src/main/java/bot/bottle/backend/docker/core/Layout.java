package bot.bottle.backend.docker.core;

import java.nio.file.Path;

/**
 * Where things live: the bottle's state directory on the host, and the paths and ports inside the
 * sidecar and agent containers. One place, so the sidecar's services and the agent's settings agree.
 *
 * <pre>
 * host  $BOT_BOTTLE_HOME/state/&lt;slug&gt;/      bind-mounted into the sidecar only, at
 * sidecar /var/lib/bot-bottle/state/&lt;slug&gt;/
 *   egress/routes.yaml   written by the backend before launch; the egress proxy polls it
 *   egress/ca.crt        the bottle's CA certificate (the egress proxy creates the CA at first start)
 *   egress/ca.key        its private key: never leaves the state directory
 *   supervise/queue/     the supervise proposal queue
 *   gitgate/config.json  the git gate's repositories (no secrets; keys stay as host paths)
 *   backend/plan.json    the last plan run for this slug (what resume runs again)
 *   backend/snapshot     the image id of the last commit
 *   Dockerfile           the agent recipe the bottle runs now
 *   agent-ca/            ca.crt and truststore.jks only: the one directory the agent mounts (read-only)
 * agent /etc/bot-bottle/ca/ca.crt, /etc/bot-bottle/ca/truststore.jks
 * </pre>
 */
public final class Layout {
    public static final String SIDECAR_HOME = "/var/lib/bot-bottle";
    public static final String SIDECAR_STATE_ROOT = SIDECAR_HOME + "/state";
    /** Mounted read-only from {@code <state>/agent-ca/}, which holds the certificate and trust store only. */
    public static final String AGENT_TRUST_DIR = "/etc/bot-bottle/ca";
    public static final String AGENT_CA_FILE = AGENT_TRUST_DIR + "/ca.crt";
    public static final String AGENT_TRUSTSTORE = AGENT_TRUST_DIR + "/truststore.jks";
    /**
     * Written by the backend once the sidecar is healthy (and, for an attached session, once the
     * terminal is attached): the agent's command waits for it, so the container and the provider's
     * setup commands start while the sidecar boots, and the agent's own command never runs first.
     */
    public static final String AGENT_READY_FILE = AGENT_TRUST_DIR + "/ready";
    /** Not a secret: a trust store holds certificates only; Java requires some password for PKCS12. */
    public static final String TRUSTSTORE_PASSWORD = "changeit";

    /** The sidecar's name on the bottle's internal network (an alias and an /etc/hosts entry). */
    public static final String SIDECAR_HOST = "sidecar";
    public static final int EGRESS_PORT = 9099;
    public static final int SUPERVISE_PORT = 9100;
    public static final int GITGATE_PORT = 9420;

    private Layout() {
    }

    public static Path stateDir(Path home, String slug) {
        return home.resolve("state").resolve(slug);
    }

    public static Path routesFile(Path state) {
        return state.resolve("egress").resolve("routes.yaml");
    }

    public static Path caCert(Path state) {
        return state.resolve("egress").resolve("ca.crt");
    }

    /** The public trust files the agent mounts (never the CA key). */
    public static Path agentCaDir(Path state) {
        return state.resolve("agent-ca");
    }

    public static Path gitgateConfig(Path state) {
        return state.resolve("gitgate").resolve("config.json");
    }

    /** File name, in the bottle's egress state, of the operator's extra upstream CA certificates. */
    public static final String UPSTREAM_CA = "upstream-ca.pem";

    public static Path upstreamCaFile(Path state) {
        return state.resolve("egress").resolve(UPSTREAM_CA);
    }

    /** The contrib detector jars the sidecar loads (copied from the host's contrib/ at each launch). */
    public static Path sidecarContrib(Path state) {
        return state.resolve("contrib");
    }

    /** An approved capability change waiting for the next resume (written by supervise). */
    public static Path nextDockerfile(Path state) {
        return state.resolve("next").resolve("Dockerfile");
    }

    /** The approved capability change a resume applied: the bottle's agent recipe from then on. */
    public static Path capabilityDockerfile(Path state) {
        return state.resolve("capability").resolve("Dockerfile");
    }

    public static Path planFile(Path state) {
        return state.resolve("backend").resolve("plan.json");
    }

    public static Path snapshotFile(Path state) {
        return state.resolve("backend").resolve("snapshot");
    }

    /** The state directory as the sidecar sees it. */
    public static String sidecarState(String slug) {
        return SIDECAR_STATE_ROOT + "/" + slug;
    }
}
