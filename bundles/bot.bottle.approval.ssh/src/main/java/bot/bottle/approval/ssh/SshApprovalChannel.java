package bot.bottle.approval.ssh;

import org.osgi.service.component.ComponentServiceObjects;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import bot.bottle.api.approval.ApprovalChannel;
import bot.bottle.api.approval.ApprovalInbox;
import bot.bottle.api.approval.PendingProposal;

/**
 * The SSH approval channel on the host. It listens only in a process started with the framework
 * property {@code bot.bottle.ssh.listen} (for example {@code -Dbot.bottle.ssh.listen=127.0.0.1:9122}
 * through {@code BOT_BOTTLE_JAVA_OPTS} on {@code bot-bottle daemon}): a one-shot command must never
 * open a listening socket, nor fight another process for the port. It trusts only the keys in
 * {@code $BOT_BOTTLE_HOME/trust/authorized_keys} and keeps its host key in
 * {@code $BOT_BOTTLE_HOME/keys/ssh-host-ec}.
 */
@Component(immediate = true, property = ApprovalChannel.ID_PROPERTY + "=ssh")
public final class SshApprovalChannel implements ApprovalChannel {

    private static final Logger LOG = Logger.getLogger(SshApprovalChannel.class.getName());

    /**
     * Dynamic, so this channel can be created while the inbox (which binds every channel) is being
     * created: a static reference would make the two components a construction cycle. Held as service
     * objects so that a host-side command run, where this channel does not listen, never activates the
     * inbox.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile ComponentServiceObjects<ApprovalInbox> inbox;

    private final SshApprovalServer server;

    @Activate
    public SshApprovalChannel(BundleContext context) throws IOException {
        String listen = context.getProperty("bot.bottle.ssh.listen");
        if (listen == null || listen.isBlank()) {
            server = null;
            return;
        }
        Path home = home(context.getProperty("bot.bottle.home"));
        InetSocketAddress addr = address(listen);
        server = SshApprovalServer.start(new BoundInbox(), home.resolve("trust/authorized_keys"),
                home.resolve("keys/ssh-host-ec"), addr);
        LOG.log(Level.WARNING, "supervise SSH channel on " + addr.getHostString() + ":" + server.port());
    }

    @Deactivate
    void deactivate() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    /** The inbox as bound right now; with none bound, every request fails (nothing is approved). */
    private final class BoundInbox implements ApprovalInbox {
        private ApprovalInbox current() {
            ComponentServiceObjects<ApprovalInbox> objects = inbox;
            ApprovalInbox i = objects == null ? null : objects.getService();
            if (i == null) {
                throw new IllegalStateException("the supervise inbox is not available");
            }
            return i;
        }

        @Override
        public java.util.List<PendingProposal> pending() {
            return current().pending();
        }

        @Override
        public String describe(String id) {
            return current().describe(id);
        }

        @Override
        public String decide(bot.bottle.api.approval.Decision decision) {
            return current().decide(decision);
        }
    }

    @Override
    public String id() {
        return "ssh";
    }

    @Override
    public void proposalArrived(PendingProposal proposal) {
        // SSH sessions are pull-based (list); nothing to push.
    }

    static Path home(String prop) {
        String v = prop;
        if (v == null || v.isBlank()) {
            v = System.getenv("BOT_BOTTLE_HOME");
        }
        if (v == null || v.isBlank()) {
            v = System.getProperty("user.home") + "/.bot-bottle";
        }
        return Path.of(v);
    }

    static InetSocketAddress address(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("bot.bottle.ssh.listen '" + hostPort + "' must be host:port");
        }
        return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }
}
