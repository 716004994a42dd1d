package bot.bottle.supervise.mcp;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Per-bottle proposal limits, so an agent cannot flood the operator (approval fatigue is an attack):
 * at most {@code perMinute} new proposals in any 60 s window and at most {@code maxWaiting} waiting at
 * once.
 */
public final class RateLimiter {

    private final int perMinute;
    private final int maxWaiting;
    private final Map<String, Deque<Long>> recent = new HashMap<>();
    private final Map<String, Integer> waiting = new HashMap<>();

    public RateLimiter(int perMinute, int maxWaiting) {
        this.perMinute = perMinute;
        this.maxWaiting = maxWaiting;
    }

    /** Takes a slot for a new proposal, or says why not. Release with {@link #done}. */
    public synchronized Optional<String> acquire(String bottle, long nowMillis) {
        Deque<Long> times = recent.computeIfAbsent(bottle, k -> new ArrayDeque<>());
        while (!times.isEmpty() && nowMillis - times.peekFirst() >= 60_000L) {
            times.removeFirst();
        }
        int w = waiting.getOrDefault(bottle, 0);
        if (w >= maxWaiting) {
            return Optional.of("rate limit: " + w + " proposals are already waiting for the operator;"
                    + " wait for a decision before proposing again");
        }
        if (times.size() >= perMinute) {
            return Optional.of("rate limit: at most " + perMinute + " proposals per minute; try again later");
        }
        times.addLast(nowMillis);
        waiting.put(bottle, w + 1);
        return Optional.empty();
    }

    /** Releases a waiting slot taken by {@link #acquire}. */
    public synchronized void done(String bottle) {
        waiting.merge(bottle, -1, (a, b) -> Math.max(0, a + b));
    }
}
