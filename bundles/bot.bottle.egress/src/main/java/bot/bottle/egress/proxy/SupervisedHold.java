package bot.bottle.egress.proxy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

import bot.bottle.api.approval.ProposalQueue;
import bot.bottle.api.dlp.Finding;

/**
 * {@code outbound_on_match: supervise} through the bottle's supervise queue (the seeds'
 * {@code egress-token-allow}): a held request becomes a report-only proposal naming the host, method,
 * path, detector and rule with redacted context, and goes on only if an operator approves it (with a
 * reason) within the timeout. No queue service, no queue folder, a rejection, a timeout or a malformed
 * response: denied.
 */
public final class SupervisedHold implements HoldDecider {
    /** The seeds' variable for the wait, in seconds. */
    public static final String TIMEOUT_ENV = "EGRESS_TOKEN_ALLOW_TIMEOUT_SECONDS";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(300);

    private final Supplier<ProposalQueue> queue;
    private final Path queueDir;
    private final String bottle;
    private final Duration timeout;

    /**
     * @param queue    the supervise service as bound right now (may supply null)
     * @param queueDir the bottle's queue folder, or null when supervise is off for the bottle
     * @param bottle   the bottle's slug, as proposals name it
     * @param timeout  how long a request is held
     */
    public SupervisedHold(Supplier<ProposalQueue> queue, Path queueDir, String bottle, Duration timeout) {
        this.queue = queue;
        this.queueDir = queueDir;
        this.bottle = bottle;
        this.timeout = timeout;
    }

    /** The timeout from {@value #TIMEOUT_ENV}; a value that is not a positive number of seconds is refused. */
    public static Duration timeoutFrom(String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT_TIMEOUT;
        }
        try {
            long s = Long.parseLong(value.trim());
            if (s > 0) {
                return Duration.ofSeconds(s);
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new IllegalArgumentException(TIMEOUT_ENV + " must be a positive number of seconds, got \"" + value + "\"");
    }

    @Override
    public CompletionStage<Decision> decide(Hold hold) {
        ProposalQueue q = queue.get();
        if (q == null || queueDir == null) {
            return CompletableFuture.completedFuture(Decision.DENY);
        }
        return q.submit(queueDir, bottle, "egress-token-allow", payload(hold), justification(hold), timeout)
                .thenApply(o -> o.approved() && !o.notes().isBlank() ? Decision.ALLOW : Decision.DENY);
    }

    /** What the operator reads: where the request was going and what was found, never the value. */
    static String payload(Hold hold) {
        StringBuilder b = new StringBuilder();
        b.append("egress DLP held an outbound request; approve only if the value may leave\n");
        b.append("host: ").append(hold.host()).append('\n');
        b.append("method: ").append(hold.method()).append('\n');
        b.append("path: ").append(hold.path()).append('\n');
        for (int i = 0; i < hold.findings().size(); i++) {
            Finding f = hold.findings().get(i);
            b.append('\n').append("finding ").append(i + 1).append(":\n");
            b.append("  detector: ").append(f.detector()).append('\n');
            b.append("  rule: ").append(f.rule()).append('\n');
            b.append("  severity: ").append(f.severity().name().toLowerCase(java.util.Locale.ROOT)).append('\n');
            b.append("  where: ").append(f.surface()).append('\n');
            if (i < hold.excerpts().size()) {
                b.append("  context: ").append(hold.excerpts().get(i)).append('\n');
            }
        }
        return b.toString();
    }

    private static String justification(Hold hold) {
        Finding f = hold.findings().get(0);
        return "outbound " + hold.method() + " to " + hold.host() + " carries a " + f.rule() + " value ("
                + f.detector() + " in " + f.surface() + "); approval lets that value through for the rest of"
                + " this bottle's session";
    }
}
