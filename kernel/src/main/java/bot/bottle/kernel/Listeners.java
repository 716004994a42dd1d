package bot.bottle.kernel;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.sun.net.httpserver.HttpServer;

/**
 * Listening sockets the daemon binds before the framework starts, from the property {@value #PROPERTY}
 * ({@code tcp:HOST:PORT} or {@code http:HOST:PORT}, comma-separated). A bottle's sidecar is reachable
 * from this moment: an agent's connection waits in the listen backlog until the service that takes the
 * socket serves it, instead of being refused while the framework loads (about half a second).
 *
 * <p>Each socket goes to the first service that asks for its address, once; whatever nobody took by the
 * end of the kernel's start is closed, so a service that never came up is refused, not left hanging.
 */
public final class Listeners implements AutoCloseable {
    static final String PROPERTY = bot.bottle.kernel.api.KernelService.LISTEN;

    private final Map<InetSocketAddress, Object> open = new LinkedHashMap<>();

    private Listeners() {
    }

    /** None: the framework property is absent (every command but a sidecar's daemon). */
    static Listeners none() {
        return new Listeners();
    }

    /**
     * Binds every listener of {@code spec}; on any failure closes those already bound and throws one line
     * naming the entry.
     */
    public static Listeners bind(String spec) throws IOException {
        Listeners l = new Listeners();
        if (spec == null || spec.isBlank()) {
            return l;
        }
        try {
            for (String entry : spec.split(",")) {
                String e = entry.strip();
                if (e.isEmpty()) {
                    continue;
                }
                int kind = e.indexOf(':');
                String type = kind < 0 ? "" : e.substring(0, kind);
                if (!type.equals("tcp") && !type.equals("http")) {
                    throw new IllegalArgumentException(PROPERTY + ": '" + e + "' is not tcp:HOST:PORT or http:HOST:PORT");
                }
                InetSocketAddress a = address(e.substring(kind + 1));
                if (l.open.containsKey(a)) {
                    throw new IllegalArgumentException(PROPERTY + ": " + a + " is named twice");
                }
                try {
                    l.open.put(a, type.equals("tcp") ? tcp(a) : HttpServer.create(a, 64));
                } catch (IOException x) {
                    throw new IOException(PROPERTY + ": cannot listen on " + e.substring(kind + 1) + ": "
                            + x.getMessage(), x);
                }
            }
        } catch (IOException | RuntimeException e) {
            l.close();
            throw e;
        }
        return l;
    }

    private static ServerSocketChannel tcp(InetSocketAddress a) throws IOException {
        ServerSocketChannel c = ServerSocketChannel.open();
        try {
            c.bind(a, 1024);
            return c;
        } catch (IOException e) {
            c.close();
            throw e;
        }
    }

    /** {@code HOST:PORT}, the host possibly a bracketed IPv6 literal; never looked up by name here. */
    static InetSocketAddress address(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        int port;
        try {
            port = colon < 0 ? -1 : Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        String host = colon < 0 ? "" : hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty() || port < 0 || port > 65535 || !(host.indexOf(':') >= 0 || host.matches("[0-9.]+"))) {
            throw new IllegalArgumentException(PROPERTY + ": '" + hostPort + "' is not IP:PORT");
        }
        return new InetSocketAddress(host, port);
    }

    synchronized Optional<ServerSocketChannel> takeTcp(InetSocketAddress a) {
        return take(a, ServerSocketChannel.class);
    }

    synchronized Optional<HttpServer> takeHttp(InetSocketAddress a) {
        return take(a, HttpServer.class);
    }

    private <T> Optional<T> take(InetSocketAddress a, Class<T> type) {
        Object l = open.get(a);
        if (l == null) {
            return Optional.empty();
        }
        if (!type.isInstance(l)) {
            // the service binds the port itself then, and fails naming it: the configuration disagrees
            throw new IllegalStateException(PROPERTY + ": " + a + " is held as "
                    + (l instanceof HttpServer ? "http" : "tcp") + ", not as " + (type == HttpServer.class ? "http" : "tcp"));
        }
        open.remove(a);
        return Optional.of(type.cast(l));
    }

    /** Closes every listener nobody took; returns their addresses. */
    synchronized List<InetSocketAddress> closeUnclaimed() {
        List<InetSocketAddress> left = new ArrayList<>(open.keySet());
        close();
        return left;
    }

    @Override
    public synchronized void close() {
        for (Object l : open.values()) {
            try {
                if (l instanceof HttpServer h) {
                    bot.bottle.kernel.api.KernelService.release(h);
                } else {
                    ((ServerSocketChannel) l).close();
                }
            } catch (IOException | RuntimeException ignored) {
                // closing: nothing more to do
            }
        }
        open.clear();
    }
}
