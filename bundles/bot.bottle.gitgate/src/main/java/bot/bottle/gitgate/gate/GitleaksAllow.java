package bot.bottle.gitgate.gate;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import bot.bottle.api.approval.ProposalQueue;
import bot.bottle.gitgate.scan.PushFinding;
import bot.bottle.gitgate.scan.Redactor;

/**
 * Asks the bottle's operator about findings hidden by {@code gitleaks:allow}, through the supervise
 * bundle's {@link ProposalQueue} service (which owns the queue files, the claim race on timeout and the
 * archiving into {@code processed/}).
 *
 * <p>The gate adds its own rules on top of the service's outcome: only an approval with a non-blank reason
 * lets the push go on (the seeds record why a human let a flagged value through), and everything else —
 * rejection, malformed response, timeout, an unusable queue, no service — refuses it.
 *
 * <p>The pre-receive hook is synchronous (JGit's {@code ReceivePack}), so the push's HTTP worker blocks on
 * the decision; the gate's worker pool is sized for that, and the wait is bounded.
 */
public final class GitleaksAllow {

    public static final String TOOL = "gitleaks-allow";
    public static final String TIMEOUT_ENV = "SUPERVISE_GITLEAKS_ALLOW_TIMEOUT_SECONDS";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(300);
    /**
     * Beyond the decision timeout, how long the gate still waits for the service to report: the service
     * gives an operator who claimed the proposal at the last moment a short grace to finish.
     */
    static final Duration SERVICE_MARGIN = Duration.ofSeconds(30);
    private static final SecureRandom RANDOM = new SecureRandom();

    private GitleaksAllow() {
    }

    /** Parses {@value #TIMEOUT_ENV}: absent means the default; anything but a non-negative integer is refused. */
    public static Duration timeoutFrom(String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT_TIMEOUT;
        }
        String v = value.strip();
        if (!v.matches("[0-9]{1,7}")) {
            throw new IllegalArgumentException("invalid " + TIMEOUT_ENV + "=" + v + " (whole seconds expected)");
        }
        return Duration.ofSeconds(Long.parseLong(v));
    }

    /**
     * The decision, as the push sees it.
     *
     * @param approved whether the push may go on
     * @param request  the gate's request tag, shown to agent and operator and recorded in the push log
     * @param detail   one line for the agent's {@code git push}
     */
    public record Decision(boolean approved, String request, String detail) {
    }

    /** A short random tag naming one request, because the service does not hand back its proposal id. */
    static String newRequestTag() {
        byte[] b = new byte[4];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** The operator's one-line summary (supervise lists proposals by their justification). */
    static String justification(String request) {
        return "git-gate push " + request + ": findings hidden by # gitleaks:allow; "
                + "approve only for dummy test fixtures or confirmed false positives";
    }

    /** The proposal payload shown to the operator: redacted findings only, never a secret. */
    public static String payload(String request, String ref, List<PushFinding> findings) {
        StringBuilder b = new StringBuilder();
        b.append("gitleaks inline suppression requires supervisor approval\n");
        b.append("push: ").append(request).append('\n');
        b.append("ref: ").append(ref).append("\n\n");
        int i = 1;
        for (PushFinding f : findings) {
            b.append("finding ").append(i++).append(":\n");
            b.append("  file: ").append(f.path()).append('\n');
            b.append("  line: ").append(f.line()).append('\n');
            b.append("  rule: ").append(f.rule()).append('\n');
            b.append("  commit: ").append(f.commit().isEmpty() ? "(none: " + f.where().label() + ")" : f.commit())
                    .append('\n');
            b.append("  code: ").append(f.redactedLine()).append("\n\n");
        }
        return b.toString().stripTrailing() + "\n";
    }

    /**
     * Queues one proposal and waits for the operator (bounded by the timeout).
     *
     * @param queue    the supervise service, or null when none is bound (refuses)
     * @param queueDir the bottle's queue directory ({@code <state>/supervise/queue})
     * @param progress receives short lines for the pushing client (request tag, how to approve)
     */
    public static Decision ask(ProposalQueue queue, Path queueDir, String slug, Duration timeout, String ref,
            List<PushFinding> findings, Consumer<String> progress) {
        return ask(queue, queueDir, slug, timeout, ref, findings, progress, SERVICE_MARGIN);
    }

    static Decision ask(ProposalQueue queue, Path queueDir, String slug, Duration timeout, String ref,
            List<PushFinding> findings, Consumer<String> progress, Duration margin) {
        String request = newRequestTag();
        if (queue == null) {
            return new Decision(false, request, "cannot route the gitleaks:allow finding to a supervisor "
                    + "(no supervise ProposalQueue service is active); refusing push");
        }
        CompletableFuture<ProposalQueue.Outcome> pending;
        try {
            pending = queue.submit(queueDir, slug, TOOL, payload(request, ref, findings), justification(request),
                    timeout).toCompletableFuture();
        } catch (RuntimeException e) {
            // the service promises never to throw; a broken one must still refuse, not let the push through
            return new Decision(false, request, "cannot route the gitleaks:allow finding to the supervisor ("
                    + PushGuard.oneLine(e) + "); refusing push");
        }
        if (!pending.isDone()) {
            progress.accept("queued gitleaks:allow approval for push " + request + " (waiting up to "
                    + timeout.toSeconds() + " s)");
            progress.accept("an operator sees it in 'bot-bottle supervise list' and approves with: "
                    + "bot-bottle supervise approve --reason '...' <id>");
        }
        ProposalQueue.Outcome o;
        try {
            o = pending.get(timeout.plus(margin).toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return new Decision(false, request, "supervisor approval timed out after " + timeout.toSeconds()
                    + " s; refusing push");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Decision(false, request, "the gate is shutting down; refusing push");
        } catch (ExecutionException | RuntimeException e) {
            return new Decision(false, request, "the supervise queue failed; refusing push");
        }
        return decide(request, timeout, o);
    }

    /** Maps the service's outcome to the push's decision; only an approval with a reason lets it through. */
    static Decision decide(String request, Duration timeout, ProposalQueue.Outcome o) {
        if (o == null) {
            return new Decision(false, request, "invalid supervisor response for gitleaks:allow; refusing push");
        }
        String notes = o.notes() == null ? "" : Redactor.clean(o.notes()).strip();
        if (o.approved()) {
            if (notes.isEmpty()) {
                // seeds: approving a gitleaks-allow needs a recorded reason; a bare approval is not one
                return new Decision(false, request, "supervisor approval without a reason; refusing push");
            }
            return new Decision(true, request, "supervisor approved gitleaks:allow: " + notes);
        }
        String status = o.status() == null ? "" : o.status();
        return new Decision(false, request, switch (status) {
            case "rejected" -> "supervisor rejected gitleaks:allow" + (notes.isEmpty() ? "" : ": " + notes)
                    + "; refusing push";
            case "timeout" -> "supervisor approval timed out after " + timeout.toSeconds() + " s; refusing push";
            case "malformed" -> "invalid supervisor response for gitleaks:allow; refusing push";
            default -> "supervisor approval failed" + (notes.isEmpty() ? "" : " (" + notes + ")")
                    + "; refusing push";
        });
    }
}
