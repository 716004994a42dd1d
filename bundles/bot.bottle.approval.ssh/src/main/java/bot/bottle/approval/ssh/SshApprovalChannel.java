package bot.bottle.approval.ssh;

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

import bot.bottle.api.approval.ApprovalChannel;
import bot.bottle.api.approval.ApprovalInbox;
import bot.bottle.api.approval.PendingProposal;

/**
 * The SSH approval channel on the host. Listens on {@code bot.bottle.ssh.listen} (default
 * {@code 127.0.0.1:9122}: loopback unless configured), trusts only the keys in
 * {@code $BOT_BOTTLE_HOME/trust/authorized_keys}, keeps its host key in
 * {@code $BOT_BOTTLE_HOME/keys/ssh-host-ec}.
 */
@Component(immediate = true, property = ApprovalChannel.ID_PROPERTY + "=ssh")
public final class SshApprovalChannel implements ApprovalChannel {

    private static final Logger LOG = Logger.getLogger(SshApprovalChannel.class.getName());

    private final SshApprovalServer server;

    @Activate
    public SshApprovalChannel(BundleContext context, @Reference ApprovalInbox inbox) throws IOException {
        Path home = home(context.getProperty("bot.bottle.home"));
        String listen = context.getProperty("bot.bottle.ssh.listen");
        InetSocketAddress addr = address(listen == null || listen.isBlank() ? "127.0.0.1:9122" : listen);
        server = SshApprovalServer.start(inbox, home.resolve("trust/authorized_keys"),
                home.resolve("keys/ssh-host-ec"), addr);
        LOG.log(Level.INFO, "supervise SSH channel on " + addr.getHostString() + ":" + server.port());
    }

    @Deactivate
    void deactivate() throws IOException {
        server.close();
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
