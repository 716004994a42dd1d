package bot.bottle.supervise.mcp;

import java.net.InetSocketAddress;
import java.time.Duration;

import bot.bottle.supervise.core.BottleState;

/**
 * Settings of one bottle's MCP server.
 *
 * @param state           the bottle's state directory (its queue, its live routes)
 * @param listen          where to listen; the sidecar uses {@code 0.0.0.0:9100} on the bottle network,
 *                        the standalone default is loopback
 * @param egressProxy     the egress proxy whose introspection endpoint {@code list-egress-routes} reads
 * @param decisionTimeout how long a tool call waits for the operator before it fails (closed)
 * @param claimGrace      extra wait when the operator claimed the proposal just as the timeout hit
 * @param perMinute       proposals per bottle per minute
 * @param maxWaiting      proposals per bottle waiting at once
 */
public record McpConfig(BottleState state, InetSocketAddress listen, InetSocketAddress egressProxy,
        Duration decisionTimeout, Duration claimGrace, int perMinute, int maxWaiting) {

    public static final int DEFAULT_PORT = 9100;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(300);

    /** Defaults: loopback:9100, proxy 127.0.0.1:9099, 300 s, 30 s grace, 10/min, 5 waiting. */
    public static McpConfig defaults(BottleState state) {
        return new McpConfig(state, new InetSocketAddress("127.0.0.1", DEFAULT_PORT),
                new InetSocketAddress("127.0.0.1", 9099), DEFAULT_TIMEOUT, Duration.ofSeconds(30), 10, 5);
    }

    public McpConfig withListen(InetSocketAddress a) {
        return new McpConfig(state, a, egressProxy, decisionTimeout, claimGrace, perMinute, maxWaiting);
    }

    public McpConfig withEgressProxy(InetSocketAddress a) {
        return new McpConfig(state, listen, a, decisionTimeout, claimGrace, perMinute, maxWaiting);
    }

    public McpConfig withTimeout(Duration t, Duration grace) {
        return new McpConfig(state, listen, egressProxy, t, grace, perMinute, maxWaiting);
    }

    public McpConfig withLimits(int perMinute, int maxWaiting) {
        return new McpConfig(state, listen, egressProxy, decisionTimeout, claimGrace, perMinute, maxWaiting);
    }

    /** Parses {@code host:port} (IPv6 as {@code [::1]:9100}). */
    public static InetSocketAddress address(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new IllegalArgumentException("address '" + hostPort + "' must be host:port");
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("address '" + hostPort + "' has a bad port");
        }
        return new InetSocketAddress(host, port);
    }
}
