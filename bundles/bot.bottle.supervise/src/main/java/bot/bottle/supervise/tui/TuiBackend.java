package bot.bottle.supervise.tui;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import bot.bottle.api.approval.ApprovalInbox;
import bot.bottle.api.approval.Decision;
import bot.bottle.api.approval.PendingProposal;

/**
 * What the terminal UI needs from supervise: the {@link ApprovalInbox} operations, plus the proposed file
 * for {@code modify}, which the approval API does not carry (only a host-side UI edits files).
 */
public interface TuiBackend {

    List<PendingProposal> pending();

    String describe(String id);

    String decide(Decision decision);

    /** The editable proposed file; empty when the kind cannot be modified or the inbox cannot say. */
    Optional<String> payload(String id);

    /** Wraps an inbox; {@code payload} answers {@code modify}. */
    static TuiBackend of(ApprovalInbox inbox, Function<String, Optional<String>> payload) {
        return new TuiBackend() {
            @Override
            public List<PendingProposal> pending() {
                return inbox.pending();
            }

            @Override
            public String describe(String id) {
                return inbox.describe(id);
            }

            @Override
            public String decide(Decision decision) {
                return inbox.decide(decision);
            }

            @Override
            public Optional<String> payload(String id) {
                return payload.apply(id);
            }
        };
    }
}
