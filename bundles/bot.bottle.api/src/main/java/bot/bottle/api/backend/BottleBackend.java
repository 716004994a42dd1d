package bot.bottle.api.backend;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.osgi.annotation.versioning.ConsumerType;

import bot.bottle.api.plan.BottlePlan;

/**
 * An isolation technology that runs bottles (Docker first; later Kubernetes, micro-VMs).
 *
 * <p>Register as an OSGi service with {@code bottle.backend.id} (String). A bottle records the backend
 * that created it and is always resumed, listed and cleaned up by that backend.
 *
 * <p>Contract: the agent reaches nothing but the sidecar; the sidecar alone holds token values; every
 * method fails closed (an exception, never a half-started bottle left running). Methods may block for
 * as long as an image build or the agent's session lasts; call them off any event thread.
 *
 * <p>Since 1.1 the lifecycle is split into detached steps ({@link #launch}, {@link #exec},
 * {@link #stop}, {@link #commit}, {@link #resume}) so a conformance suite can drive any backend the same
 * way. The defaults throw {@link UnsupportedOperationException} so a 1.0 backend keeps compiling.
 */
@ConsumerType
public interface BottleBackend {

    /** The service property naming a backend. */
    String ID_PROPERTY = "bottle.backend.id";

    /** The backend's id, equal to its {@value #ID_PROPERTY} service property. */
    String id();

    /** Checks the host can run bottles; cheap and side-effect free. */
    Preflight preflight();

    /**
     * Runs a bottle from its plan, attached to the caller's terminal, and tears it down when the agent
     * exits. Returns the agent's exit status.
     */
    int run(BottlePlan plan) throws Exception;

    /**
     * As {@link #run(BottlePlan)}, with credentials a provider read from the host itself
     * ({@link bot.bottle.api.agent.AgentProvider#hostCredentials}), keyed by the host variable name a
     * token slot names. Each replaces the host variable of that name when the backend fills the token
     * slots; it goes to the sidecar only and the backend keeps no copy. A backend that cannot take them
     * fails rather than starting without them.
     *
     * @since 1.2
     */
    default int run(BottlePlan plan, Map<String, String> hostCredentials) throws Exception {
        if (hostCredentials.isEmpty()) {
            return run(plan);
        }
        throw new UnsupportedOperationException(id() + ": forwarding host credentials");
    }

    /** Bottles this backend created that still have resources. */
    List<BottleStatus> list();

    /** Removes every resource this backend labelled; idempotent. Returns how many were removed. */
    int cleanup();

    /**
     * Builds what the plan needs and starts the bottle without attaching: when this returns the sidecar
     * is healthy and the agent runs the plan's command. With {@code resume} the agent starts from the
     * slug's last {@link #commit} when there is one. Fails (and removes what it created) when the slug
     * already runs.
     *
     * @since 1.1
     */
    default void launch(BottlePlan plan, boolean resume) throws Exception {
        throw new UnsupportedOperationException(id() + ": launch");
    }

    /**
     * Runs a command in the running agent, as the agent would: same user, environment and network.
     * Waits at most {@code timeout}; the command is killed after it.
     *
     * @since 1.1
     */
    default ExecResult exec(String slug, List<String> command, Duration timeout) throws Exception {
        throw new UnsupportedOperationException(id() + ": exec");
    }

    /**
     * Stops and removes one bottle's running resources (agent, sidecar, networks); keeps its state
     * directory and committed snapshot. Idempotent.
     *
     * @since 1.1
     */
    default void stop(String slug) throws Exception {
        throw new UnsupportedOperationException(id() + ": stop");
    }

    /**
     * Snapshots the running agent so the next {@link #resume} starts from it. Returns a reference to
     * the snapshot (an image id for Docker).
     *
     * @since 1.1
     */
    default String commit(String slug) throws Exception {
        throw new UnsupportedOperationException(id() + ": commit");
    }

    /**
     * Runs the slug's last plan again, attached like {@link #run}, starting the agent from the last
     * {@link #commit} when there is one. Returns the agent's exit status.
     *
     * @since 1.1
     */
    default int resume(String slug) throws Exception {
        throw new UnsupportedOperationException(id() + ": resume");
    }
}
