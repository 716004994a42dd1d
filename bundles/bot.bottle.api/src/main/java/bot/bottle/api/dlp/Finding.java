package bot.bottle.api.dlp;

import java.util.Objects;

/**
 * What a detector found: where, never what. The matched value is deliberately absent so that a
 * finding can be logged, queued for an operator or written to the audit log without leaking it.
 *
 * @param detector the detector id ({@code bottle.detector.id})
 * @param rule     the rule inside the detector ({@code github-pat}, {@code canary}, ...)
 * @param surface  the {@link ScanInput#surface()} the finding is in
 * @param start    offset of the first char of the match in the scanned text
 * @param end      offset one past the last char of the match
 * @param severity how sure the detector is, which drives the route policy
 */
public record Finding(String detector, String rule, String surface, int start, int end, Severity severity) {
    public Finding {
        Objects.requireNonNull(detector, "detector");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(surface, "surface");
        Objects.requireNonNull(severity, "severity");
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("bad span " + start + ".." + end);
        }
    }

    /** How sure a detector is about a finding. */
    public enum Severity {
        /** Certain exfiltration (the canary, a known secret): always blocked, whatever the route says. */
        CERTAIN,
        /** A well-formed secret (checksum passed, strong format): the route policy applies. */
        HIGH,
        /** Secret-shaped but unconfirmed (failed checksum, generic entropy): at most supervise. */
        LOW,
        /** Informational (prompt-injection taint on inbound content): annotate, never block alone. */
        INFO
    }
}
