package bot.bottle.supervise.osgi;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import bot.bottle.api.approval.ApplyListener;
import bot.bottle.api.approval.ApprovalChannel;
import bot.bottle.api.approval.ApprovalInbox;
import bot.bottle.api.approval.Decision;
import bot.bottle.api.approval.PendingProposal;
import bot.bottle.api.egress.RoutesValidator;
import bot.bottle.supervise.core.Bottles;
import bot.bottle.supervise.core.SuperviseCore;

/**
 * The host's {@link ApprovalInbox} over every bottle under {@code $BOT_BOTTLE_HOME/state}. It also polls
 * the queues once a second while any {@link ApprovalChannel} is bound and tells the channels about new
 * proposals (producers live in sidecars, so the file system is the only signal).
 */
@Component(service = ApprovalInbox.class)
public final class InboxService implements ApprovalInbox {

    private static final Logger LOG = Logger.getLogger(InboxService.class.getName());

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile RoutesValidator validator;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private volatile List<ApplyListener> listeners;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private volatile List<ApprovalChannel> channels;

    private final SuperviseCore core;
    private final ScheduledExecutorService poller;
    private final Set<String> seen = new HashSet<>();

    @Activate
    public InboxService(BundleContext context) {
        Path home = Bottles.home(context.getProperty("bot.bottle.home"));
        this.core = Runtime.core(home, Bottles.underHome(home), () -> validator,
                () -> listeners == null ? List.of() : listeners);
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "supervise-inbox-poll");
            t.setDaemon(true);
            return t;
        });
        poller.scheduleWithFixedDelay(this::poll, 1, 1, TimeUnit.SECONDS);
    }

    @Deactivate
    void deactivate() {
        poller.shutdownNow();
    }

    private void poll() {
        List<ApprovalChannel> cs = channels;
        if (cs == null || cs.isEmpty()) {
            return;
        }
        try {
            for (PendingProposal p : core.pending()) {
                if (seen.add(p.bottle() + "/" + p.id())) {
                    for (ApprovalChannel c : cs) {
                        try {
                            c.proposalArrived(p);
                        } catch (RuntimeException e) {
                            LOG.log(Level.WARNING, "approval channel " + c.id() + " failed on proposalArrived", e);
                        }
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "supervise inbox poll failed", e);
        }
    }

    @Override
    public List<PendingProposal> pending() {
        return core.pending();
    }

    @Override
    public String describe(String id) {
        return core.describe(id);
    }

    @Override
    public String decide(Decision decision) {
        return core.decide(decision);
    }

    /**
     * The proposed file an operator may edit before approving ({@code modify}); empty for report-only
     * kinds. Not part of the approval API: only this bundle's terminal UI edits on the host.
     */
    public Optional<String> payload(String id) {
        return core.editable(core.find(id));
    }
}
