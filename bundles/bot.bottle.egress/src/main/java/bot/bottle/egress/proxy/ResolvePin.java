package bot.bottle.egress.proxy;

import java.net.InetAddress;
import java.net.UnknownHostException;

import bot.bottle.egress.routes.HostNames;

/**
 * A {@code --resolve HOST:PORT:ADDR} pin, as curl's option: requests to HOST on PORT connect to ADDR
 * without a DNS lookup. A pin also names its address, so a loopback or private address becomes
 * reachable for that host and port only (metadata addresses never).
 */
public record ResolvePin(String host, int port, InetAddress address) {

    /** Parses {@code HOST:PORT:ADDR}; ADDR may be an IPv6 literal in brackets. */
    public static ResolvePin parse(String spec) {
        int first = spec.indexOf(':');
        int second = first < 0 ? -1 : spec.indexOf(':', first + 1);
        if (first <= 0 || second < 0) {
            throw new IllegalArgumentException("--resolve " + spec + ": expected HOST:PORT:ADDR");
        }
        String host;
        try {
            host = HostNames.normalise(spec.substring(0, first));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--resolve " + spec + ": " + e.getMessage());
        }
        int port;
        try {
            port = Integer.parseInt(spec.substring(first + 1, second));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("--resolve " + spec + ": bad port");
        }
        String addr = spec.substring(second + 1);
        if (addr.startsWith("[") && addr.endsWith("]")) {
            addr = addr.substring(1, addr.length() - 1);
        }
        if (!addr.matches("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
            throw new IllegalArgumentException("--resolve " + spec + ": ADDR must be an IP address");
        }
        InetAddress a;
        try {
            a = InetAddress.getByName(addr); // a literal: no lookup happens
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--resolve " + spec + ": bad address");
        }
        if (AddressPolicy.metadata(a)) {
            throw new IllegalArgumentException("--resolve " + spec + ": metadata addresses are never reachable");
        }
        return new ResolvePin(host, port, a);
    }
}
