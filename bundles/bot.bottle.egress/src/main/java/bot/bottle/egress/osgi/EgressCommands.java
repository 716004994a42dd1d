package bot.bottle.egress.osgi;

import bot.bottle.api.approval.ProposalQueue;

import java.util.List;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import bot.bottle.api.dlp.DlpScanner;
import bot.bottle.egress.proxy.EgressServer;

/**
 * Gogo command {@code egress:run}: the proxy on the host, without containers (standalone users, tests,
 * benchmarks). Runs until interrupted; reloads routes on change and on SIGHUP. Token values come from
 * this process's environment; the DLP engine is the {@link DlpScanner} service when one is running.
 */
@Component(service = EgressCommands.class, property = {
        "osgi.command.scope=egress",
        "osgi.command.function=run"})
public final class EgressCommands {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile DlpScanner scanner;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ProposalQueue queue;

    /** Failure to start: one line naming the file, key or address; exit status 1. */
    public static final class StartException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public StartException(String message, Throwable cause) {
            super(message, cause);
        }

        public int exitStatus() {
            return 1;
        }
    }

    @Descriptor("run the egress proxy until interrupted: --routes FILE --state DIR [--listen 127.0.0.1:9099] "
            + "[--upstream-ca FILE] [--resolve HOST:PORT:ADDR]... [--supervise-queue DIR [--bottle SLUG]]")
    public void run(@Descriptor("options, see the command description") String... args) throws InterruptedException {
        EgressServer.Builder b = EgressArgs.parse(List.of(args), () -> queue).scanner(() -> scanner).handleSighup(true);
        EgressServer server;
        try {
            server = b.build().start();
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            throw new StartException("egress: " + oneLine(e.getMessage()), e);
        }
        try {
            System.out.println("egress: listening on " + server.address().getHostString() + ":"
                    + server.address().getPort() + "; agents trust " + server.caCertificate()
                    + "; Ctrl-C to stop");
            server.awaitClose();
        } finally {
            server.close();
        }
    }

    private static String oneLine(String s) {
        return s == null ? "failed" : s.replaceAll("\\s+", " ").trim();
    }
}
