package bot.bottle.manifest.command;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import bot.bottle.api.agent.AgentProvider;
import bot.bottle.api.backend.BottleBackend;
import bot.bottle.manifest.core.ProviderCatalog;

/**
 * The {@code bottle} Gogo commands over the manifest core. Providers and backends are bound
 * dynamically; each command reads the current snapshot once.
 */
@Component(service = BottleCommands.class, property = {
    "osgi.command.scope=bottle",
    "osgi.command.function=start",
    "osgi.command.function=list",
    "osgi.command.function=info",
    "osgi.command.function=init",
    "osgi.command.function=edit"})
public final class BottleCommands {

    private final BundleContext context;
    private volatile Map<String, AgentProvider> providers = Map.of();
    private volatile Map<String, BottleBackend> backends = Map.of();

    @Activate
    public BottleCommands(BundleContext context) {
        this.context = context;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    synchronized void addProvider(AgentProvider p, Map<String, Object> props) {
        Map<String, AgentProvider> m = new LinkedHashMap<>(providers);
        m.put(id(props, AgentProvider.ID_PROPERTY, p.id()), p);
        providers = Collections.unmodifiableMap(m);
    }

    synchronized void removeProvider(AgentProvider p) {
        Map<String, AgentProvider> m = new LinkedHashMap<>(providers);
        m.values().removeIf(x -> x == p);
        providers = Collections.unmodifiableMap(m);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    synchronized void addBackend(BottleBackend b, Map<String, Object> props) {
        Map<String, BottleBackend> m = new TreeMap<>(backends);
        m.put(id(props, BottleBackend.ID_PROPERTY, b.id()), b);
        backends = Collections.unmodifiableMap(m);
    }

    synchronized void removeBackend(BottleBackend b) {
        Map<String, BottleBackend> m = new TreeMap<>(backends);
        m.values().removeIf(x -> x == b);
        backends = Collections.unmodifiableMap(m);
    }

    private static String id(Map<String, Object> props, String key, String fallback) {
        Object v = props.get(key);
        return v instanceof String s && !s.isBlank() ? s : fallback;
    }

    private ManifestCommands core() {
        Path cwd = Path.of(System.getProperty("user.dir"));
        return new ManifestCommands(Home.resolve(context::getProperty), cwd, ProviderCatalog.of(providers),
                System.out, System.err);
    }

    @Descriptor("start an agent's bottle (with --dry-run: print the plan and create nothing)")
    public void start(
            @Descriptor("print the resolved plan; create nothing")
            @Parameter(names = "--dry-run", presentValue = "true", absentValue = "false") boolean dryRun,
            @Descriptor("output format: text or json")
            @Parameter(names = "--format", absentValue = "text") String format,
            @Descriptor("the agent's name") String agent) {
        String preferred = context.getProperty("bot.bottle.backend");
        if (preferred == null) {
            preferred = System.getenv("BOT_BOTTLE_BACKEND");
        }
        core().start(agent, dryRun, format, backends, preferred);
    }

    @Descriptor("list agents and bottles, where each came from, and whether each is valid (--running: the bottles running now)")
    public void list(
            @Descriptor("list the bottles that have containers or networks instead (as 'ps')")
            @Parameter(names = "--running", presentValue = "true", absentValue = "false") boolean running,
            @Descriptor("output format: text or json")
            @Parameter(names = "--format", absentValue = "text") String format) {
        if (running) {
            core().listRunning(format, backends);
        } else {
            core().list(format);
        }
    }

    @Descriptor("show what starting an agent would do: bottle chain, provider, routes, env, skills, prompt")
    public void info(
            @Descriptor("output format: text or json")
            @Parameter(names = "--format", absentValue = "text") String format,
            @Descriptor("the agent's name") String agent) {
        core().info(agent, format);
    }

    @Descriptor("create an agent and a bottle from answers (one per line on stdin)")
    public void init() throws Exception {
        // The process's own stdin, not System.in: the kernel's one-shot session is created with
        // System.in after Gogo's ThreadIO replaced it, so reading System.in there recurses until the
        // stack overflows. init is meant for a terminal or a pipe, which FileDescriptor.in is.
        core().init(new BufferedReader(new InputStreamReader(new FileInputStream(FileDescriptor.in),
                StandardCharsets.UTF_8)));
    }

    @Descriptor("edit an agent or bottle in $EDITOR; the file is replaced only if the edit is valid")
    public void edit(
            @Descriptor("agent or bottle, when both have this name")
            @Parameter(names = "--kind", absentValue = "") String kind,
            @Descriptor("the agent's or bottle's name") String name) throws Exception {
        String editor = System.getenv("VISUAL");
        if (editor == null || editor.isBlank()) {
            editor = System.getenv("EDITOR");
        }
        if (editor == null || editor.isBlank()) {
            editor = "vi";
        }
        core().edit(name, kind, editor);
    }
}
