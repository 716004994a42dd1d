package bot.bottle.egress.osgi;

import org.osgi.service.component.ComponentServiceObjects;

import bot.bottle.api.approval.ProposalQueue;
import bot.bottle.egress.proxy.SupervisedHold;

import java.nio.file.Path;
import java.util.Locale;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import bot.bottle.api.dlp.DlpScanner;
import bot.bottle.egress.proxy.EgressServer;
import bot.bottle.egress.proxy.ResolvePin;
import bot.bottle.kernel.api.KernelService;

/**
 * Starts the proxy inside the sidecar kernel when the framework property
 * {@code bot.bottle.egress.routes} names a routes file. Other properties: {@code bot.bottle.egress.listen}
 * (default {@code 0.0.0.0:9099}), {@code bot.bottle.egress.state} (CA directory; default the routes
 * file's directory), {@code bot.bottle.egress.upstreamCa}, {@code bot.bottle.egress.resolve}
 * (comma-separated {@code HOST:PORT:ADDR}), {@code bot.bottle.egress.queue} and {@code bot.bottle.slug} (where
 * held requests wait for an operator; see {@link #queueDir}). Each falls back to a system property, then to the
 * environment variable in upper case with dots as underscores. Active in a sidecar's kernel only
 * ({@code bot-bottle daemon}); without the routes property it does nothing. A bad configuration fails
 * activation with one line.
 */
@Component(immediate = true)
public final class SidecarEgress {
    static final String ROUTES = "bot.bottle.egress.routes";

    /**
     * Held as service objects, not the service: binding the scanner itself would activate the DLP
     * engine (and load every rule) in each host-side command run, where this component stays idle.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ComponentServiceObjects<DlpScanner> scanner;
    private volatile ComponentServiceObjects<DlpScanner> scannerSeen;
    private volatile DlpScanner scannerInstance;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ProposalQueue queue;

    /**
     * The sidecar's kernel ({@code bot-bottle daemon}): this component serves a bottle from there only, so a
     * command on the host never activates it. It hands over the port it bound before the framework started.
     */
    @Reference(target = KernelService.DAEMON_TARGET)
    private KernelService kernel;

    private EgressServer server;

    @Activate
    void activate(BundleContext bc) throws Exception {
        String routes = prop(bc, ROUTES);
        if (routes == null || routes.isBlank()) {
            return;
        }
        Path routesFile = Path.of(routes);
        String state = prop(bc, "bot.bottle.egress.state");
        java.net.InetSocketAddress listen = EgressArgs.listen(orDefault(prop(bc, "bot.bottle.egress.listen"),
                "0.0.0.0:9099"));
        KernelService k = kernel;
        EgressServer.Builder b = EgressServer.builder()
                .routesFile(routesFile)
                .stateDir(state == null ? routesFile.toAbsolutePath().getParent() : Path.of(state))
                .listen(listen)
                .scanner(this::scanner)
                .holdDecider(new SupervisedHold(() -> queue, queueDir(bc), orDefault(prop(bc, "bot.bottle.slug"), "bottle"),
                        SupervisedHold.timeoutFrom(System.getenv(SupervisedHold.TIMEOUT_ENV))))
                .handleSighup(true)
                .holdAccepts(bc != null);
        String ca = prop(bc, "bot.bottle.egress.upstreamCa");
        if (ca != null && !ca.isBlank()) {
            b.upstreamCa(Path.of(ca));
        }
        String pins = prop(bc, "bot.bottle.egress.resolve");
        if (pins != null) {
            for (String p : pins.split(",")) {
                if (!p.isBlank()) {
                    b.resolve(ResolvePin.parse(p.trim()));
                }
            }
        }
        java.nio.channels.ServerSocketChannel early = k == null ? null : k.takeListener(listen).orElse(null);
        server = b.listener(early).build().start();
        if (bc != null) {
            acceptOnceKernelStarted(bc, server);
        }
    }

    /**
     * The port is bound and the proxy ready, but it serves only once the kernel has started every
     * bundle and reconciled contrib/: before that the DLP scanner or a contrib detector may not be
     * bound yet, and a request scanned without them could pass. Connections wait in the backlog.
     */
    private static void acceptOnceKernelStarted(BundleContext bc, EgressServer server) throws Exception {
        String filter = "(&(" + org.osgi.framework.Constants.OBJECTCLASS + "=bot.bottle.kernel.api.KernelService)"
                + "(bot.bottle.kernel.started=true))";
        org.osgi.framework.ServiceListener[] self = new org.osgi.framework.ServiceListener[1];
        self[0] = event -> {
            if (event.getType() == org.osgi.framework.ServiceEvent.REGISTERED
                    || event.getType() == org.osgi.framework.ServiceEvent.MODIFIED) {
                server.acceptNow();
                try {
                    bc.removeServiceListener(self[0]);
                } catch (IllegalStateException stopped) {
                    // the bundle is stopping
                }
            }
        };
        bc.addServiceListener(self[0], filter);
        if (bc.getServiceReferences((String) null, filter) != null) { // started already (a restarted bundle)
            server.acceptNow();
            bc.removeServiceListener(self[0]);
        }
    }

    /** The scanner bound right now, obtained once per binding. */
    private DlpScanner scanner() {
        ComponentServiceObjects<DlpScanner> objects = scanner;
        if (objects == null) {
            return null;
        }
        if (objects != scannerSeen) {
            synchronized (this) {
                if (objects != scannerSeen) {
                    scannerInstance = objects.getService();
                    scannerSeen = objects;
                }
            }
        }
        return scannerInstance;
    }

    @Deactivate
    void deactivate() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    /**
     * Where held requests wait for an operator: {@code bot.bottle.egress.queue}, else the supervise
     * state's queue ({@code <bot.bottle.supervise.state>/supervise/queue}); none means supervise is off
     * for this bottle and every hold is denied.
     */
    static Path queueDir(BundleContext bc) {
        String q = prop(bc, "bot.bottle.egress.queue");
        if (q != null && !q.isBlank()) {
            return Path.of(q);
        }
        String state = prop(bc, "bot.bottle.supervise.state");
        return state == null || state.isBlank() ? null : Path.of(state).resolve("supervise").resolve("queue");
    }

    static String prop(BundleContext bc, String key) {
        String v = bc == null ? null : bc.getProperty(key);
        if (v == null) {
            v = System.getProperty(key);
        }
        if (v == null) {
            v = System.getenv(key.toUpperCase(Locale.ROOT).replace('.', '_'));
        }
        return v;
    }

    private static String orDefault(String v, String d) {
        return v == null || v.isBlank() ? d : v;
    }
}
