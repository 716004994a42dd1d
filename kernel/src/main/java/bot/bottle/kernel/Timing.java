package bot.bottle.kernel;

import java.lang.management.ManagementFactory;

/**
 * Start-up phases on stderr when {@code BOT_BOTTLE_TIMING=1} (the startup benchmark sets it): ms since
 * the JVM started, and each bundle whose start took over 20 ms. Silent otherwise.
 */
final class Timing {
    private static final Timing OFF = new Timing(false);
    private final boolean on;

    private Timing(boolean on) {
        this.on = on;
    }

    static Timing fromEnv() {
        return "1".equals(System.getenv("BOT_BOTTLE_TIMING")) ? new Timing(true) : OFF;
    }

    void mark(String phase) {
        if (on) {
            long up = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
            System.err.println("bot-bottle: timing kernel " + up + " ms " + phase);
        }
    }

    void slow(String what, long startNanos) {
        long ms = (System.nanoTime() - startNanos) / 1_000_000;
        if (on && ms > 20) {
            System.err.println("bot-bottle: timing kernel   " + what + " started in " + ms + " ms");
        }
    }
}
