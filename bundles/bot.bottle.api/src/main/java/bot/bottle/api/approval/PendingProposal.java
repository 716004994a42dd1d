package bot.bottle.api.approval;

import java.time.Instant;

/**
 * A proposal waiting for an operator, as every channel shows it.
 *
 * @param id       the proposal id
 * @param bottle   the bottle slug it came from
 * @param tool     {@code allow}, {@code egress-block}, {@code capability-block}, {@code gitleaks-allow},
 *                 {@code egress-token-allow}
 * @param summary  one line for a list view (already stripped of terminal control characters)
 * @param arrived  when it arrived
 */
public record PendingProposal(String id, String bottle, String tool, String summary, Instant arrived) {
}
