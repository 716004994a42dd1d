package bot.bottle.egress.proxy;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.netty.channel.EventLoop;

/**
 * Idle upstream connections shared by the agent connections of one event loop, keyed by scheme, host
 * and port, so a new agent connection (a new TLS handshake on the agent side) does not also cost a new
 * upstream handshake. Only idle connections (no request in flight) are pooled; each is used by one
 * agent connection at a time. Every access for a loop happens on that loop's thread, so the per-loop
 * maps need no locking. Idle connections close on the upstream idle timeout and leave the pool then.
 */
final class UpstreamPool {
    static final int MAX_IDLE_PER_KEY = 32;
    private static final Upstream.Listener NOBODY = new Upstream.Listener() {
        @Override
        public void upstreamResponse(Upstream u, io.netty.handler.codec.http.HttpResponse head,
                                     io.netty.buffer.ByteBuf body, byte[] copy) {
            body.release();
            u.close();
        }

        @Override
        public void upstreamFailed(Upstream u, int status, String reason) {
            u.close();
        }
    };

    private final ConcurrentHashMap<EventLoop, Map<String, ArrayDeque<Upstream>>> loops = new ConcurrentHashMap<>();

    /** An idle connection for the key on this loop, or null. Call on {@code loop}. */
    Upstream take(EventLoop loop, String key) {
        Map<String, ArrayDeque<Upstream>> m = loops.get(loop);
        ArrayDeque<Upstream> q = m == null ? null : m.get(key);
        while (q != null && !q.isEmpty()) {
            Upstream u = q.pollLast();
            if (u.idle()) {
                return u;
            }
            u.close();
        }
        return null;
    }

    /** Gives an idle connection back (closes it when it is not idle or the pool is full). */
    void give(Upstream u) {
        EventLoop loop = u.loop();
        if (!u.idle() || !loop.inEventLoop()) {
            u.close();
            return;
        }
        u.attach(NOBODY);
        ArrayDeque<Upstream> q = loops.computeIfAbsent(loop, l -> new HashMap<>())
                .computeIfAbsent(u.key, k -> new ArrayDeque<>());
        if (q.size() >= MAX_IDLE_PER_KEY) {
            u.close();
            return;
        }
        q.addLast(u);
        u.onClose(() -> loop.execute(() -> q.remove(u)));
    }
}
