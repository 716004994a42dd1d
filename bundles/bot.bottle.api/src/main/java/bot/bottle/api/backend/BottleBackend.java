package bot.bottle.api.backend;

import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

import bot.bottle.api.plan.BottlePlan;

/**
 * An isolation technology that runs bottles (Docker first; later Kubernetes, micro-VMs).
 *
 * <p>Register as an OSGi service with {@code bottle.backend.id} (String). A bottle records the backend
 * that created it and is always resumed, listed and cleaned up by that backend.
 *
 * <p>Contract: the agent reaches nothing but the sidecar; the sidecar alone holds token values; every
 * method fails closed (an exception, never a half-started bottle left running).
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

    /** Bottles this backend created that still have resources. */
    List<BottleStatus> list();

    /** Removes every resource this backend labelled; idempotent. Returns how many were removed. */
    int cleanup();
}
