package bot.bottle.cli;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * {@code bot-bottle help}: every command that bot-bottle's bundles (and trusted contrib bundles) register,
 * with its one-line description taken from the command's own {@code @Descriptor}.
 */
@Component(service = HelpCommand.class, property = {"osgi.command.scope=bottle", "osgi.command.function=help"})
public final class HelpCommand {
    private final BundleContext context;

    @Activate
    public HelpCommand(BundleContext context) {
        this.context = context;
    }

    /** One command as listed. */
    public record Entry(String command, String usage, String description) {
    }

    @Descriptor("list every command with a one-line description")
    public String help(
            @Descriptor("text or json") @Parameter(names = "--format", absentValue = "text") String format)
            throws InvalidSyntaxException {
        List<Entry> entries = entries();
        if (Json.format(format).equals("json")) {
            return Json.write(entries);
        }
        StringBuilder sb = new StringBuilder();
        sb.append("usage: bot-bottle <command> [args]    (bot-bottle shell opens the interactive shell)\n\n");
        int width = entries.stream().mapToInt(e -> e.usage().length()).max().orElse(10);
        for (Entry e : entries) {
            sb.append("  ").append(String.format("%-" + width + "s", e.usage())).append("  ")
                    .append(e.description()).append('\n');
        }
        return sb.toString().stripTrailing();
    }

    List<Entry> entries() throws InvalidSyntaxException {
        Map<String, Entry> out = new LinkedHashMap<>();
        ServiceReference<?>[] refs = context.getAllServiceReferences(null, "(osgi.command.scope=*)");
        if (refs == null) {
            return List.of();
        }
        for (ServiceReference<?> ref : refs) {
            Bundle b = ref.getBundle();
            if (b == null || !ours(b)) {
                continue;
            }
            String scope = String.valueOf(ref.getProperty("osgi.command.scope"));
            Class<?> type = commandClass(ref);
            if (type == null) {
                continue;
            }
            for (String function : functions(ref.getProperty("osgi.command.function"))) {
                String usage = (scope.equals("bottle") ? "" : scope + " ") + function;
                String description = describe(type, function);
                out.putIfAbsent(usage, new Entry(scope + ":" + function, usage, description));
            }
        }
        List<Entry> list = new ArrayList<>(out.values());
        list.sort(Comparator.comparing((Entry e) -> e.command().startsWith("bottle:") ? 0 : 1)
                .thenComparing(Entry::usage));
        return list;
    }

    /**
     * The class that carries the command's {@code @Descriptor}s. Commands are registered under their own
     * class, so it is loaded from the registering bundle without getting the service: listing commands
     * must not activate every command component (and what they bind, such as the DLP engine).
     */
    private Class<?> commandClass(ServiceReference<?> ref) {
        Object names = ref.getProperty(org.osgi.framework.Constants.OBJECTCLASS);
        if (names instanceof String[] arr && arr.length > 0) {
            try {
                Class<?> c = ref.getBundle().loadClass(arr[0]);
                if (!c.isInterface()) {
                    return c;
                }
            } catch (ClassNotFoundException | IllegalStateException e) {
                // fall back to the service object below
            }
        }
        Object service = context.getService(ref);
        if (service == null) {
            return null;
        }
        try {
            return service.getClass();
        } finally {
            context.ungetService(ref);
        }
    }

    private static boolean ours(Bundle b) {
        String bsn = b.getSymbolicName();
        return (bsn != null && bsn.startsWith("bot.bottle.")) || b.getLocation().startsWith("contrib:");
    }

    private static List<String> functions(Object prop) {
        if (prop instanceof String[] arr) {
            return List.of(arr);
        }
        if (prop instanceof Iterable<?> it) {
            List<String> l = new ArrayList<>();
            it.forEach(o -> l.add(String.valueOf(o)));
            return l;
        }
        return prop == null ? List.of() : List.of(String.valueOf(prop));
    }

    private static String describe(Class<?> type, String function) {
        for (Method m : type.getMethods()) {
            if (m.getName().equalsIgnoreCase(function)) {
                Descriptor d = m.getAnnotation(Descriptor.class);
                if (d != null) {
                    return d.value();
                }
            }
        }
        return "";
    }
}
