package bot.bottle.api.approval;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The one inbox every channel reads and decides through: route proposals, capability changes,
 * {@code gitleaks-allow} pushes and DLP {@code egress-token-allow} holds, across all bottles.
 * Implemented by the {@code bot.bottle.supervise} bundle; channels (TUI, SSH) use it so that every
 * channel shows and decides proposals the same way, with the same checks and the same audit entries.
 *
 * <p>Threading: thread-safe; {@link #decide} does file I/O and may take a moment (it writes the live
 * routes file and the audit log). Every text it returns is already stripped of terminal control
 * characters.
 */
@ProviderType
public interface ApprovalInbox {

    /** Proposals waiting for a decision, oldest first. Malformed queue files are left out. */
    List<PendingProposal> pending();

    /**
     * A full description for a detail view: bottle, tool, justification, the payload, and for a file
     * change a unified diff against the bottle's current file.
     *
     * @param id a proposal id or a unique prefix of one
     * @throws IllegalArgumentException when no (or more than one) pending proposal matches, with a
     *                                  one-line message
     */
    String describe(String id);

    /**
     * Decides a proposal: applies an approved change, writes the response for the waiting producer and
     * appends a signed audit entry. {@code decision.finalFile()} is the operator's edited file for
     * {@link Decision.Status#MODIFIED} and is ignored otherwise.
     *
     * @return a one-line summary of what happened
     * @throws IllegalArgumentException when the decision is refused (unknown id, missing reason, modify
     *                                  of a report-only proposal, invalid edited file, denied host)
     * @throws IllegalStateException    when the proposal was already decided or withdrawn, or applying
     *                                  failed; nothing was approved then
     */
    String decide(Decision decision);
}
