package bot.bottle.egress.proxy;

/**
 * Where a large message's scan runs: on its event loop when the scan is predicted to take at most
 * {@link #LOOP_BUDGET_NANOS}, else on a worker. A hand-off there and back costs two thread switches
 * (~150 µs of CPU each on this virtualised 2-core machine, and as much again in wake-up latency), so a
 * scan shorter than a TLS handshake or two (which also run on the loop) is cheaper where it is. The prediction is the
 * message's size times the recently observed cost per byte of this direction's scan stage (decoding
 * to text, reflection guard, detectors), which depends on the detectors in use: the bench's stand-in
 * scans ~0.3 ns per byte, the DLP engine with every detector 5-25.
 *
 * <p>Only the place changes, never whether or what is scanned. The estimate rises at once halfway to a
 * slower observation (a body that scans slowly sends the next ones to the workers) and falls by an
 * eighth of the gap per faster one. Wall time is measured, which a preempted scan overstates: the
 * error sends work to the workers, as before this class.
 */
final class ScanCost {
    /** Longest predicted scan run on an event loop: about what one or two TLS handshakes cost it. */
    static final long LOOP_BUDGET_NANOS = 1_000_000;
    /** Never inline above this, whatever the estimate. */
    static final int MAX_INLINE_BYTES = 2 << 20;
    /** Smaller messages say little about the cost per byte (fixed costs dominate): not learned from. */
    static final int LEARN_MIN_BYTES = 16 << 10;
    /** Until measured: 25 ns per byte, the DLP engine's slowest measured rate (docs/egress.md). */
    static final long INITIAL_PICOS_PER_BYTE = 25_000;
    private static final long MAX_PICOS_PER_BYTE = 1_000_000_000L;

    private volatile long picosPerByte = INITIAL_PICOS_PER_BYTE;

    /** Whether a scan of this many bytes (text of every surface) is predicted to fit the loop's budget. */
    boolean fitsLoop(long bytes) {
        return bytes <= MAX_INLINE_BYTES && bytes * picosPerByte <= LOOP_BUDGET_NANOS * 1000;
    }

    /** Records one scan stage: its size and wall time. */
    void observe(long bytes, long nanos) {
        if (bytes < LEARN_MIN_BYTES || nanos < 0) {
            return;
        }
        long o = Math.min(MAX_PICOS_PER_BYTE, nanos * 1000 / bytes);
        long est = picosPerByte;
        picosPerByte = o >= est ? est + (o - est + 1) / 2 : est - (est - o) / 8;
    }

    long picosPerByte() {
        return picosPerByte;
    }
}
