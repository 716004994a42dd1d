package bot.bottle.api.dlp;

import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A detector: scans one {@link ScanInput} and reports findings as spans.
 *
 * <p>Register as an OSGi service with the property {@code bottle.detector.id} (String, unique, the name
 * bottles use in {@code dlp.outbound_detectors} / {@code dlp.inbound_detectors}). The egress proxy and
 * the git gate bind detectors dynamically: a detector that arrives or leaves changes scanning at once.
 *
 * <p>Threading: {@code scan} is called concurrently from scanner threads (never from a network I/O
 * thread). It must not block on I/O, must not keep a reference to the input, and must be fast: the
 * proxy scans every request. Throwing is allowed and is treated as a block (fail closed).
 */
@ConsumerType
public interface DlpDetector {

    /** The service property naming a detector. */
    String ID_PROPERTY = "bottle.detector.id";

    /** The detector's id, equal to its {@value #ID_PROPERTY} service property. */
    String id();

    /** The directions this detector applies to. */
    default boolean appliesTo(Direction direction) {
        return true;
    }

    /** Scans one input; returns an empty list when nothing is found. */
    List<Finding> scan(ScanInput input);
}
