package bot.bottle.gitgate.scan;

import java.time.Duration;
import java.util.List;

/**
 * The outcome of scanning what a push adds.
 *
 * @param findings every finding, already redacted
 * @param commits  new commits walked
 * @param objects  new objects walked (commits, trees, blobs, tags)
 * @param bytes    bytes of content scanned
 * @param took     how long the scan took
 */
public record ScanReport(List<PushFinding> findings, int commits, int objects, long bytes, Duration took) {

    public ScanReport {
        findings = List.copyOf(findings);
    }

    /** Findings that refuse the push outright. */
    public List<PushFinding> blocking() {
        return findings.stream().filter(f -> !f.suppressed()).toList();
    }

    /** Findings hidden by {@code gitleaks:allow}: they need an operator's approval. */
    public List<PushFinding> suppressed() {
        return findings.stream().filter(PushFinding::suppressed).toList();
    }

    public boolean clean() {
        return findings.isEmpty();
    }
}
