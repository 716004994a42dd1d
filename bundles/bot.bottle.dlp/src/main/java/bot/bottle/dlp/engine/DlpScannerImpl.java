package bot.bottle.dlp.engine;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import bot.bottle.api.dlp.DlpDetector;
import bot.bottle.api.dlp.DlpException;
import bot.bottle.api.dlp.DlpScanner;
import bot.bottle.api.dlp.Finding;
import bot.bottle.api.dlp.KnownSecrets;
import bot.bottle.api.dlp.ScanInput;
import bot.bottle.dlp.detect.KnownSecretsImpl;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * The {@link DlpScanner} service: binds every {@link DlpDetector} dynamically (built-in and contrib) and
 * scans with an immutable {@link DlpEngine} snapshot that is replaced whole when a detector comes or
 * goes. A detector registered without {@code bottle.detector.id} is keyed by its {@code id()}; when two
 * share an id the first bound wins until it leaves.
 */
@Component(service = DlpScanner.class)
public final class DlpScannerImpl implements DlpScanner {
    private final Map<String, DlpDetector> bound = new HashMap<>(); // guarded by this
    private volatile DlpEngine engine = new DlpEngine(Map.of());

    public DlpScannerImpl() {
    }

    /** For tests and the CLI: a scanner over a fixed set of detectors. */
    public DlpScannerImpl(Map<String, DlpDetector> detectors) {
        bound.putAll(detectors);
        engine = new DlpEngine(bound);
    }

    @Reference(service = DlpDetector.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    public synchronized void bindDetector(DlpDetector detector, Map<String, Object> properties) {
        String id = idOf(detector, properties);
        if (id != null && !bound.containsKey(id)) {
            bound.put(id, detector);
            engine = new DlpEngine(bound);
        }
    }

    public synchronized void unbindDetector(DlpDetector detector, Map<String, Object> properties) {
        String id = idOf(detector, properties);
        if (id != null && bound.get(id) == detector) {
            bound.remove(id);
            engine = new DlpEngine(bound);
        }
    }

    static String idOf(DlpDetector detector, Map<String, Object> properties) {
        Object id = properties == null ? null : properties.get(DlpDetector.ID_PROPERTY);
        if (id instanceof String s && !s.isBlank()) {
            return s;
        }
        try {
            String own = detector.id();
            return own == null || own.isBlank() ? null : own;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The current snapshot (for diagnostics and the Gogo commands). */
    public DlpEngine engine() {
        return engine;
    }

    @Override
    public KnownSecrets knownSecrets(Map<String, String> named, String canary) {
        return new KnownSecretsImpl(named, canary);
    }

    @Override
    public List<Finding> scan(List<ScanInput> inputs, Set<String> detectors, KnownSecrets known) throws DlpException {
        return engine.scan(inputs, detectors, known);
    }

    @Override
    public String redact(CharSequence text, List<Finding> findings) {
        return DlpEngine.redact(text, findings);
    }
}
