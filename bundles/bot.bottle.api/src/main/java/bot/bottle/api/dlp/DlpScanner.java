package bot.bottle.api.dlp;

import java.util.List;
import java.util.Map;
import java.util.Set;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The DLP engine, implemented by the {@code bot.bottle.dlp} bundle and used by the egress proxy and the
 * git gate: it normalises content (percent/unicode/base64/hex decoding, NFKC, invisible-character
 * stripping) and runs the selected {@link DlpDetector} services over it.
 *
 * <p>Contract: findings carry spans into the <em>original</em> {@link ScanInput#text()} (a secret found
 * inside a decoded base64 run is reported as the span of the whole encoded run), so a caller can redact
 * the text it holds. Any detector error, and any selected detector that is not present, makes
 * {@code scan} throw: callers must treat an exception as a block (fail closed).
 *
 * <p>Threading: thread-safe; call from worker threads, never from a network I/O thread.
 */
@ProviderType
public interface DlpScanner {

    /**
     * Compiles the values that must never leave.
     *
     * @param named  secret name (e.g. the token env variable) to value; values are never logged
     * @param canary the bottle's canary, or "" when there is none; a canary finding is
     *               {@link Finding.Severity#CERTAIN}
     */
    KnownSecrets knownSecrets(Map<String, String> named, String canary);

    /**
     * Scans the inputs of one exchange.
     *
     * @param inputs    the surfaces (headers, path and query, decoded body), all of one direction
     * @param detectors the detector ids to run; an empty set runs every active detector that applies
     *                  to the direction
     * @param known     values to look for in every encoding, or {@code null} for none
     * @throws DlpException when a detector fails or a selected detector is missing
     */
    List<Finding> scan(List<ScanInput> inputs, Set<String> detectors, KnownSecrets known) throws DlpException;

    /** Replaces every finding's span in {@code text} with a redaction marker. Spans may overlap. */
    String redact(CharSequence text, List<Finding> findings);
}
