package bot.bottle.cli;

import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/** {@code bot-bottle version}. */
@Component(service = VersionCommand.class, property = {"osgi.command.scope=bottle", "osgi.command.function=version"})
public final class VersionCommand {
    private final BundleContext context;

    @Activate
    public VersionCommand(BundleContext context) {
        this.context = context;
    }

    @Descriptor("print the bot-bottle version")
    public String version() {
        return "bot-bottle " + context.getBundle().getVersion();
    }
}
