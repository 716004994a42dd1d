package bot.bottle.api.approval;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A way for an operator to see and decide proposals (Gogo shell, terminal UI, SSH remote shell).
 *
 * <p>Register as an OSGi service with {@code bottle.channel.id} (String). With no channel bound, a
 * proposal is never approved: it times out and is denied (fail closed).
 *
 * <p>Threading: {@link #proposalArrived} is called on a supervise thread and must return quickly.
 */
@ConsumerType
public interface ApprovalChannel {

    /** The service property naming a channel. */
    String ID_PROPERTY = "bottle.channel.id";

    /** The channel's id, equal to its {@value #ID_PROPERTY} service property. */
    String id();

    /** Told when a proposal arrives, so the channel can refresh or notify. */
    void proposalArrived(PendingProposal proposal);
}
