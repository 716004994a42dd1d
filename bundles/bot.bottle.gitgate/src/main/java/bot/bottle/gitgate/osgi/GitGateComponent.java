package bot.bottle.gitgate.osgi;

import org.osgi.service.component.ComponentServiceObjects;

import java.io.IOException;
import java.nio.file.Path;
import java.util.logging.Logger;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import bot.bottle.api.approval.ProposalQueue;
import bot.bottle.api.dlp.DlpScanner;
import bot.bottle.gitgate.gate.ConfigLoader;
import bot.bottle.gitgate.gate.GateConfig;
import bot.bottle.gitgate.gate.GitGate;
import bot.bottle.kernel.api.KernelService;

/**
 * Runs the gate in the sidecar ({@code bot-bottle daemon} only) when the framework property
 * {@code bot.bottle.gitgate.config} names its config file. The DLP engine is a mandatory static reference:
 * without it the component is not active and nothing listens, so no push can pass unscanned; when the
 * engine goes away the gate stops. The supervise {@link ProposalQueue} is optional and dynamic: a push with
 * a {@code gitleaks:allow} finding reads it at that moment, and is refused while none is bound.
 */
@Component(immediate = true, service = {})
public final class GitGateComponent {

    public static final String CONFIG_PROPERTY = "bot.bottle.gitgate.config";
    private static final Logger LOG = Logger.getLogger(GitGateComponent.class.getName());

    /**
     * Held as service objects, not the service: binding the engine itself would activate it (and load
     * every rule) in each host-side command run, where the gate stays idle.
     */
    @Reference(policyOption = ReferencePolicyOption.GREEDY)
    private ComponentServiceObjects<DlpScanner> engine;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ProposalQueue approvals;

    /**
     * The sidecar's kernel ({@code bot-bottle daemon}): this component serves a bottle from there only, so a
     * command on the host never activates it. It hands over the port it bound before the framework started.
     */
    @Reference(target = KernelService.DAEMON_TARGET)
    private KernelService kernel;

    private GitGate gate;

    @Activate
    void activate(BundleContext context) throws IOException {
        String file = context.getProperty(CONFIG_PROPERTY);
        if (file == null || file.isBlank()) {
            file = System.getProperty(CONFIG_PROPERTY);
        }
        if (file == null || file.isBlank()) {
            return;
        }
        GateConfig config = ConfigLoader.load(Path.of(file)); // a bad file fails activation, naming file and key
        DlpScanner e = engine.getService();
        KernelService k = kernel;
        gate = GitGate.start(config, () -> e, () -> approvals,
                k == null ? null : k.takeHttpServer(config.listen()).orElse(null));
        LOG.info("git gate for bottle " + config.slug() + " listening on " + gate.address() + " ("
                + config.repos().size() + " repos)");
    }

    @Deactivate
    void deactivate() {
        if (gate != null) {
            gate.close();
            gate = null;
        }
    }
}
