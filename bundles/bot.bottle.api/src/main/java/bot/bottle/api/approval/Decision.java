package bot.bottle.api.approval;

/**
 * An operator's decision on a proposal.
 *
 * @param proposalId the proposal decided
 * @param status     what was decided
 * @param finalFile  the file applied (the proposed one, or the operator's modified one), or ""
 * @param notes      the operator's reason or notes
 * @param approver   who decided (local user name, or an SSH key fingerprint)
 * @param channel    which channel carried the decision ({@code shell}, {@code tui}, {@code ssh})
 */
public record Decision(String proposalId, Status status, String finalFile, String notes, String approver,
        String channel) {

    /** The three possible outcomes. */
    public enum Status {
        APPROVED, MODIFIED, REJECTED
    }
}
