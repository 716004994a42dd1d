package bot.bottle.egress.proxy;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import bot.bottle.api.dlp.Finding;

/**
 * The extension point for {@code outbound_on_match: supervise} (and for LOW-confidence findings, which
 * are at most supervised): decides whether a request held for a DLP finding may go on. The supervise
 * bundle will implement this with the approval queue (the seeds' {@code egress-token-allow} flow); the
 * proxy calls it off the event loop and treats anything but {@link Decision#ALLOW} — including an
 * exception or a failed stage — as a refusal.
 */
@FunctionalInterface
public interface HoldDecider {

    /** What the operator (or its stand-in) decided. */
    enum Decision { ALLOW, DENY }

    /**
     * A held request, described without its secret: findings carry detector, rule, surface and span
     * only; {@code excerpts} (one per finding) show a little context around each match with every
     * match in it replaced by {@code [REDACTED:<rule>]}. {@code path} has the query removed.
     */
    record Hold(String host, String method, String path, List<Finding> findings, List<String> excerpts) {
        public Hold {
            findings = List.copyOf(findings);
            excerpts = List.copyOf(excerpts);
        }
    }

    CompletionStage<Decision> decide(Hold hold);

    /** Until supervise is wired in: every hold is denied (fail closed), with the reason in the 403. */
    HoldDecider DENY = hold -> CompletableFuture.completedFuture(Decision.DENY);
}
