package bot.bottle.egress.proxy;

import bot.bottle.egress.routes.RoutesConfig.Route;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * One request/response exchange. Owned by one thread at a time: the connection's event loop, or a
 * worker it handed the exchange to (the executor hand-off orders the writes).
 */
final class Exchange {
    final boolean tls;
    final String host;
    final int port;
    final String method;
    String path;
    String query; // raw, without '?', null when absent
    final HttpHeaders headers; // the agent's headers, hop-by-hop already removed
    byte[] body = new byte[0];
    final boolean keepAlive;
    final Route route;
    final long startNanos = System.nanoTime();
    /** The path as it may be logged: no query, DLP findings in it redacted. */
    String logPath;
    /** The token value injected on this exchange, kept for the reflection guard; never logged. */
    String injected;

    Exchange(boolean tls, String host, int port, String method, String path, String query, HttpHeaders headers,
             boolean keepAlive, Route route) {
        this.tls = tls;
        this.host = host;
        this.port = port;
        this.method = method;
        this.path = path;
        this.query = query;
        this.headers = headers;
        this.keepAlive = keepAlive;
        this.route = route;
        this.logPath = path;
    }

    String target() {
        return query == null ? path : path + "?" + query;
    }

    String upstreamKey() {
        return (tls ? "https://" : "http://") + host + ":" + port;
    }
}
