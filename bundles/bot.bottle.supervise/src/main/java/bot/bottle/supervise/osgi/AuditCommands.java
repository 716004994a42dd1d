package bot.bottle.supervise.osgi;

import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

import bot.bottle.supervise.core.BottleState;
import bot.bottle.supervise.core.Bottles;
import bot.bottle.supervise.core.CommandFailure;
import bot.bottle.supervise.core.Shell;
import bot.bottle.supervise.queue.Proposal;

/** {@code audit:verify}: checks a bottle's signed, hash-chained audit log. */
@Component(service = AuditCommands.class, property = {"osgi.command.scope=audit",
        "osgi.command.function=verify"})
public final class AuditCommands {

    private final Path home;

    @Activate
    public AuditCommands(BundleContext context) {
        this.home = Bottles.home(context.getProperty("bot.bottle.home"));
    }

    @Descriptor("verify a bottle's audit log; names the first entry altered, removed or reordered")
    public void verify(
            @Descriptor("the bottle's state directory instead of $BOT_BOTTLE_HOME/state/<slug>")
            @Parameter(names = "--state", absentValue = "") String state,
            @Descriptor("bottle slug (omit with --state)") String... slug) {
        Path dir;
        if (!state.isBlank()) {
            dir = Path.of(state);
        } else if (slug.length == 1 && Proposal.SLUG.matcher(slug[0]).matches()) {
            dir = home.resolve("state").resolve(slug[0]);
        } else {
            throw new CommandFailure(2, "audit:verify needs a bottle slug or --state DIR");
        }
        if (!Files.isDirectory(dir)) {
            throw new CommandFailure(2, "no state directory " + dir);
        }
        System.out.print(Shell.verify(BottleState.of(dir), home.resolve("keys")));
    }
}
