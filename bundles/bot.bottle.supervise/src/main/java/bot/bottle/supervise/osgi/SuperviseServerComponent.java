package bot.bottle.supervise.osgi;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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

import bot.bottle.api.egress.RoutesValidator;
import bot.bottle.kernel.api.KernelService;
import bot.bottle.supervise.core.Applier;
import bot.bottle.supervise.core.BottleState;
import bot.bottle.supervise.mcp.McpConfig;
import bot.bottle.supervise.mcp.McpServer;

/**
 * Runs the bottle's MCP server inside the sidecar (active in {@code bot-bottle daemon} only). Starts only when
 * the framework property {@code bot.bottle.supervise.state} names the bottle's state directory. Further properties: {@code bot.bottle.supervise.listen} (default {@code 0.0.0.0:9100}, the
 * bottle network), {@code bot.bottle.supervise.egress} (default {@code 127.0.0.1:9099}),
 * {@code bot.bottle.supervise.timeout} (seconds, default 300).
 */
@Component(immediate = true, service = {})
public final class SuperviseServerComponent {

    private static final Logger LOG = Logger.getLogger(SuperviseServerComponent.class.getName());

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile RoutesValidator validator;

    /**
     * The sidecar's kernel ({@code bot-bottle daemon}): this component serves a bottle from there only, so a
     * command on the host never activates it. It hands over the port it bound before the framework started.
     */
    @Reference(target = KernelService.DAEMON_TARGET)
    private KernelService kernel;

    private McpServer server;

    @Activate
    void activate(BundleContext context) throws IOException {
        String state = context.getProperty("bot.bottle.supervise.state");
        if (state == null || state.isBlank()) {
            return;
        }
        McpConfig config = McpConfig.defaults(BottleState.of(Path.of(state)))
                .withListen(McpConfig.address(prop(context, "bot.bottle.supervise.listen", "0.0.0.0:9100")))
                .withEgressProxy(McpConfig.address(prop(context, "bot.bottle.supervise.egress", "127.0.0.1:9099")))
                .withTimeout(Duration.ofSeconds(Long.parseLong(prop(context, "bot.bottle.supervise.timeout", "300"))),
                        Duration.ofSeconds(30));
        // Sidecars apply nothing: the host applies approvals. The Applier here only validates proposals.
        KernelService k = kernel;
        server = McpServer.start(config, new Applier(() -> validator, List::of),
                k == null ? null : k.takeHttpServer(config.listen()).orElse(null));
        LOG.log(Level.INFO, "supervise MCP server for bottle " + config.state().slug() + " on "
                + server.address());
    }

    @Deactivate
    void deactivate() {
        if (server != null) {
            server.close();
        }
    }

    private static String prop(BundleContext c, String key, String def) {
        String v = c.getProperty(key);
        return v == null || v.isBlank() ? def : v;
    }
}
