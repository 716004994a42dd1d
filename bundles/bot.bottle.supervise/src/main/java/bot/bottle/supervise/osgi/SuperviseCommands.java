package bot.bottle.supervise.osgi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import bot.bottle.api.approval.ApplyListener;
import bot.bottle.api.egress.RoutesValidator;
import bot.bottle.supervise.core.BottleState;
import bot.bottle.supervise.core.Bottles;
import bot.bottle.supervise.core.CommandFailure;
import bot.bottle.supervise.core.Editor;
import bot.bottle.supervise.core.Shell;
import bot.bottle.supervise.core.SuperviseCore;
import bot.bottle.supervise.mcp.McpConfig;
import bot.bottle.supervise.mcp.McpServer;

/**
 * {@code supervise:*} Gogo commands: the operator's shell channel. Queues are found under
 * {@code $BOT_BOTTLE_HOME/state/<slug>/supervise/queue}; {@code --state DIR} points at one bottle.
 */
@Component(service = SuperviseCommands.class, property = {"osgi.command.scope=supervise",
        "osgi.command.function=list", "osgi.command.function=show", "osgi.command.function=approve",
        "osgi.command.function=modify", "osgi.command.function=reject", "osgi.command.function=serve"})
public final class SuperviseCommands {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile RoutesValidator validator;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private volatile List<ApplyListener> listeners;

    private final Path home;

    @Activate
    public SuperviseCommands(BundleContext context) {
        this.home = Bottles.home(context.getProperty("bot.bottle.home"));
    }

    private Shell shell(String state) {
        SuperviseCore core = Runtime.core(home, Runtime.bottles(home, state), () -> validator,
                () -> listeners == null ? List.of() : listeners);
        return new Shell(core, "shell", SuperviseCore.localApprover());
    }

    @Descriptor("list pending proposals of every bottle (and malformed queue files)")
    public void list(
            @Descriptor("one bottle's state directory instead of all under $BOT_BOTTLE_HOME/state")
            @Parameter(names = "--state", absentValue = "") String state,
            @Descriptor("text or json") @Parameter(names = "--format", absentValue = "text") String format) {
        System.out.print(shell(state).list("json".equals(format)));
    }

    @Descriptor("show a proposal with a diff against the bottle's current file")
    public void show(
            @Descriptor("one bottle's state directory") @Parameter(names = "--state", absentValue = "") String state,
            @Descriptor("proposal id or unique prefix") String id) {
        System.out.print(shell(state).show(id));
    }

    @Descriptor("approve a proposal and apply it (gitleaks-allow and egress-token-allow need --reason)")
    public void approve(
            @Descriptor("one bottle's state directory") @Parameter(names = "--state", absentValue = "") String state,
            @Descriptor("why; recorded in the response and the audit log")
            @Parameter(names = "--reason", absentValue = "") String reason,
            @Descriptor("proposal id or unique prefix") String id) {
        System.out.print(shell(state).approve(id, reason));
    }

    @Descriptor("edit a proposal in $EDITOR, validate it, then approve it as modified")
    public void modify(
            @Descriptor("one bottle's state directory") @Parameter(names = "--state", absentValue = "") String state,
            @Descriptor("note recorded with the modification")
            @Parameter(names = "--reason", absentValue = "") String reason,
            @Descriptor("proposal id or unique prefix") String id) {
        System.out.print(shell(state).modify(id, reason, Editor.fromEnvironment()));
    }

    @Descriptor("reject a proposal")
    public void reject(
            @Descriptor("one bottle's state directory") @Parameter(names = "--state", absentValue = "") String state,
            @Descriptor("why (required); the agent sees it")
            @Parameter(names = "--reason", absentValue = "") String reason,
            @Descriptor("proposal id or unique prefix") String id) {
        System.out.print(shell(state).reject(id, reason));
    }

    @Descriptor("run the MCP server for one bottle in the foreground (standalone, for tests and debugging)")
    public void serve(
            @Descriptor("the bottle's state directory (required)")
            @Parameter(names = "--state", absentValue = "") String state,
            @Descriptor("listen address host:port") @Parameter(names = "--listen", absentValue = "127.0.0.1:9100")
            String listen,
            @Descriptor("egress proxy host:port for list-egress-routes")
            @Parameter(names = "--proxy", absentValue = "127.0.0.1:9099") String proxy,
            @Descriptor("seconds a tool call waits for the operator")
            @Parameter(names = "--timeout", absentValue = "300") String timeout) {
        if (state.isBlank()) {
            throw new CommandFailure(2, "supervise:serve needs --state DIR");
        }
        Path dir = Path.of(state);
        if (!Files.isDirectory(dir)) {
            throw new CommandFailure(2, "state directory " + dir + " does not exist");
        }
        McpConfig config;
        try {
            config = McpConfig.defaults(BottleState.of(dir)).withListen(McpConfig.address(listen))
                    .withEgressProxy(McpConfig.address(proxy))
                    .withTimeout(Duration.ofSeconds(Long.parseLong(timeout)), Duration.ofSeconds(30));
        } catch (IllegalArgumentException e) {
            throw new CommandFailure(2, e.getMessage());
        }
        SuperviseCore core = Runtime.core(home, Bottles.single(dir), () -> validator,
                () -> listeners == null ? List.of() : listeners);
        try (McpServer server = McpServer.start(config, core.applier())) {
            System.out.println("supervise MCP server for bottle " + config.state().slug() + " on http://"
                    + server.address().getHostString() + ":" + server.address().getPort() + "/mcp");
            System.out.flush();
            new CountDownLatch(1).await(); // until interrupted (Ctrl-C / kernel shutdown)
        } catch (IOException e) {
            throw new CommandFailure(3, "cannot listen on " + listen + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
