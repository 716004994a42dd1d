package bot.bottle.dlp.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import bot.bottle.api.dlp.Direction;
import bot.bottle.api.dlp.DlpDetector;
import bot.bottle.dlp.detect.DetectorInfo;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/** Gogo commands {@code dlp:scan} and {@code dlp:detectors}; a thin layer over {@link ScanCommand}. */
@Component(service = DlpCommands.class, property = {"osgi.command.scope=dlp", "osgi.command.function=scan",
        "osgi.command.function=detectors"})
public final class DlpCommands {
    private record Bound(DlpDetector detector, String bundle, Object rules) {
    }

    private final Map<ServiceReference<DlpDetector>, Bound> bound = new HashMap<>(); // guarded by this
    private volatile Map<String, Bound> byId = Map.of();

    @Reference(service = DlpDetector.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    synchronized void bindDetector(ServiceReference<DlpDetector> ref, DlpDetector detector) {
        bound.put(ref, new Bound(detector, ref.getBundle() == null ? "?" : ref.getBundle().getSymbolicName(),
                ref.getProperty("bottle.detector.rules")));
        snapshot();
    }

    synchronized void unbindDetector(ServiceReference<DlpDetector> ref, DlpDetector detector) {
        bound.remove(ref);
        snapshot();
    }

    private void snapshot() {
        Map<String, Bound> m = new TreeMap<>();
        bound.forEach((ref, b) -> {
            Object id = ref.getProperty(DlpDetector.ID_PROPERTY);
            String key = id instanceof String s ? s : b.detector().id();
            m.putIfAbsent(key, b);
        });
        byId = Map.copyOf(m);
    }

    @Descriptor("scan files (or stdin) with every active detector, like gitleaks detect; exit 1 when something is found")
    public void scan(
            @Descriptor("output format: text or json") @Parameter(names = "--format", absentValue = "text") String format,
            @Descriptor("outbound (requests, default) or inbound (responses)")
            @Parameter(names = "--direction", absentValue = "outbound") String direction,
            @Descriptor("read each input as a raw HTTP/1.1 message and scan it as the proxy would")
            @Parameter(names = "--http", presentValue = "true", absentValue = "false") boolean http,
            @Descriptor("file of known secret values, one per line") @Parameter(names = "--known-secrets", absentValue = "")
            String knownSecrets,
            @Descriptor("the bottle's canary value") @Parameter(names = "--canary", absentValue = "") String canary,
            @Descriptor("a gitleaks TOML config to use instead of the default token rules")
            @Parameter(names = "--rules", absentValue = "") String rules,
            @Descriptor("files to scan (stdin when none)") String... files) {
        Map<String, DlpDetector> detectors = new TreeMap<>();
        byId.forEach((id, b) -> detectors.put(id, b.detector()));
        ScanCommand.run(new ScanCommand.Options(format, ScanCommand.direction(direction), http,
                knownSecrets.isEmpty() ? null : Path.of(knownSecrets), canary, rules.isEmpty() ? null : Path.of(rules),
                files == null ? List.of() : Arrays.asList(files)), detectors, System.in, System.out);
    }

    @Descriptor("list the active DLP detectors: id, bundle, rule count, directions")
    public void detectors(@Descriptor("output format: text or json") @Parameter(names = "--format", absentValue = "text")
                          String format) {
        Map<String, Bound> m = byId;
        StringBuilder sb = new StringBuilder();
        boolean json = "json".equalsIgnoreCase(format);
        sb.append(json ? "[" : String.format("%-28s %-36s %6s  %s%n", "ID", "BUNDLE", "RULES", "DIRECTIONS"));
        int k = 0;
        for (Map.Entry<String, Bound> e : m.entrySet()) {
            Bound b = e.getValue();
            String rules = b.rules() != null ? b.rules().toString()
                    : b.detector() instanceof DetectorInfo i ? Integer.toString(i.ruleCount()) : "-";
            String dirs = (applies(b.detector(), Direction.OUTBOUND) ? "outbound" : "")
                    + (applies(b.detector(), Direction.INBOUND) ? (applies(b.detector(), Direction.OUTBOUND) ? "," : "") + "inbound" : "");
            if (json) {
                sb.append(k++ == 0 ? "" : ",").append(String.format("{\"id\":\"%s\",\"bundle\":\"%s\",\"rules\":\"%s\",\"directions\":\"%s\"}",
                        e.getKey(), b.bundle(), rules, dirs));
            } else {
                sb.append(String.format("%-28s %-36s %6s  %s%n", e.getKey(), b.bundle(), rules, dirs));
            }
        }
        System.out.print(json ? sb.append("]\n") : sb);
    }

    private static boolean applies(DlpDetector d, Direction dir) {
        try {
            return d.appliesTo(dir);
        } catch (RuntimeException e) {
            return false;
        }
    }
}
