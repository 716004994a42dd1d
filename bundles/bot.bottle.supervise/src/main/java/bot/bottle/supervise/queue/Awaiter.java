package bot.bottle.supervise.queue;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * A producer's wait for the response to one proposal, as a series of non-blocking checks, so that a
 * blocking caller (the MCP server) and a scheduled one (the sidecar's {@code ProposalQueue}) share the
 * rules: read the response, archive the pair, and on timeout withdraw the proposal by claiming it, with
 * a short grace when an operator claimed it first.
 */
public final class Awaiter {

    /** How a wait ended. {@code response} is set for {@link Kind#ANSWERED} only. */
    public record Verdict(Kind kind, Response response, String detail) {
    }

    /** The ways a wait ends. */
    public enum Kind {
        ANSWERED, MALFORMED, TIMEOUT, LOST_CLAIM
    }

    private final QueueDir queue;
    private final String id;
    private final Duration grace;
    private long deadline;
    private boolean withdrawing;

    public Awaiter(QueueDir queue, String id, Duration timeout, Duration grace) {
        this.queue = queue;
        this.id = id;
        this.grace = grace;
        this.deadline = System.nanoTime() + timeout.toNanos();
    }

    /** One look at the queue; empty while the decision is still pending. */
    public Optional<Verdict> check() throws IOException {
        QueueDir.ResponseState rs = queue.readResponse(id);
        if (rs instanceof QueueDir.Answered a) {
            queue.archive(id);
            return Optional.of(new Verdict(Kind.ANSWERED, a.response(), ""));
        }
        if (rs instanceof QueueDir.Malformed m) {
            queue.archive(id);
            return Optional.of(new Verdict(Kind.MALFORMED, null, m.reason()));
        }
        if (System.nanoTime() < deadline) {
            return Optional.empty();
        }
        if (!withdrawing) {
            if (queue.claim(id, "timeout")) {
                queue.archive(id);
                return Optional.of(new Verdict(Kind.TIMEOUT, null, ""));
            }
            // An operator claimed it just now: give the apply a short grace to finish.
            withdrawing = true;
            deadline = System.nanoTime() + grace.toNanos();
            return Optional.empty();
        }
        queue.archive(id);
        return Optional.of(new Verdict(Kind.LOST_CLAIM, null, ""));
    }
}
