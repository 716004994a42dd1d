package bot.bottle.api.approval;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/**
 * How the sidecar's producers (the egress proxy's DLP holds, the git gate's inline suppressions) ask an
 * operator and wait for the answer, through the bottle's supervise queue. Implemented by the
 * {@code bot.bottle.supervise} bundle so that the queue format lives in one place.
 *
 * <p>Fail closed: the returned stage completes with {@link Outcome#approved()} true only for an explicit
 * approval; a rejection, a timeout, a malformed response, a queue that cannot be written, or a shutdown
 * all complete with {@code approved() == false}. It never completes exceptionally. With no
 * {@code ProposalQueue} service bound at all, a producer must deny.
 *
 * <p>Threading: {@code submit} writes the proposal and returns at once; the stage completes on a
 * supervise thread. Callers on a network I/O thread must not block on it.
 */
@ProviderType
public interface ProposalQueue {

    /**
     * Queues a report-only proposal and waits (asynchronously) for the decision. The producer owns the
     * pair: it is archived to {@code processed/} once the outcome is known.
     *
     * @param queueDir      the bottle's queue folder ({@code <state>/supervise/queue})
     * @param bottle        the bottle's slug
     * @param tool          {@code egress-token-allow} or {@code gitleaks-allow}
     * @param payload       what the operator reads: redacted, never a secret value
     * @param justification why the producer asks
     * @param timeout       how long to wait for a decision
     */
    CompletionStage<Outcome> submit(Path queueDir, String bottle, String tool, String payload, String justification,
            Duration timeout);

    /**
     * The result.
     *
     * @param approved true only for an explicit approval (approved or modified)
     * @param status   {@code approved}, {@code modified}, {@code rejected}, {@code timeout}, {@code malformed},
     *                 or {@code error}
     * @param notes    the operator's reason, or what went wrong
     */
    record Outcome(boolean approved, String status, String notes) {
    }
}
