package bot.bottle.gitgate.scan;

import java.time.Duration;

/**
 * Bounds of one scan. Reaching any of them refuses the push: a push is never forwarded because it was
 * too big or too slow to scan (GitHub's push protection fails open there; the gate does not).
 *
 * @param maxBytes     total bytes of object content the scan may read
 * @param timeout      wall-clock bound of the whole scan
 * @param segmentChars size of one text segment handed to the DLP engine
 * @param overlapChars how much consecutive segments of one object overlap, so a secret that straddles a
 *                     segment boundary is seen whole in the next segment (longer than any rule's match)
 * @param batchChars   how much text is collected before one call of the engine
 */
public record ScanLimits(long maxBytes, Duration timeout, int segmentChars, int overlapChars, int batchChars) {

    public static final ScanLimits DEFAULTS = new ScanLimits(2L << 30, Duration.ofSeconds(300), 1 << 20, 16 << 10,
            1 << 20);

    public ScanLimits {
        if (maxBytes <= 0 || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("scan limits must be positive");
        }
        if (overlapChars < 0 || segmentChars <= overlapChars * 2) {
            throw new IllegalArgumentException("segment must be more than twice the overlap");
        }
    }

    public ScanLimits withMaxBytes(long bytes) {
        return new ScanLimits(bytes, timeout, segmentChars, overlapChars, batchChars);
    }

    public ScanLimits withTimeout(Duration t) {
        return new ScanLimits(maxBytes, t, segmentChars, overlapChars, batchChars);
    }

    public ScanLimits withSegments(int segment, int overlap) {
        return new ScanLimits(maxBytes, timeout, segment, overlap, batchChars);
    }
}
