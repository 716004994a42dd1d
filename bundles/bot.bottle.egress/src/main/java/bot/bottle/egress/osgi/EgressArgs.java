package bot.bottle.egress.osgi;

import java.time.Duration;
import java.util.function.Supplier;

import bot.bottle.api.approval.ProposalQueue;
import bot.bottle.egress.proxy.SupervisedHold;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import bot.bottle.egress.proxy.EgressServer;
import bot.bottle.egress.proxy.ResolvePin;

/**
 * Parses {@code egress run --routes FILE --state DIR [--listen HOST:PORT] [--upstream-ca FILE]
 * [--resolve HOST:PORT:ADDR]...} into a server builder. Plain Java so tests call it directly.
 */
public final class EgressArgs {
    public static final String USAGE = "usage: egress run --routes FILE --state DIR [--listen 127.0.0.1:9099] "
            + "[--upstream-ca FILE] [--resolve HOST:PORT:ADDR]... [--supervise-queue DIR [--bottle SLUG]]";

    private EgressArgs() {
    }

    /** A command-line error: one line, exit status 2. */
    public static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public UsageException(String message) {
            super(message);
        }

        public int exitStatus() {
            return 2;
        }
    }

    public static EgressServer.Builder parse(List<String> args) {
        return parse(args, () -> null);
    }

    /**
     * @param queue the supervise {@link ProposalQueue} as bound right now; with {@code --supervise-queue}
     *              held requests ({@code outbound_on_match: supervise}) wait there for an operator, without
     *              it they are denied
     */
    public static EgressServer.Builder parse(List<String> args, Supplier<ProposalQueue> queue) {
        EgressServer.Builder b = EgressServer.builder();
        String routes = null;
        String state = null;
        String supervise = null;
        String bottle = "bottle";
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String key = a;
            String value = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                key = a.substring(0, eq);
                value = a.substring(eq + 1);
            }
            if (!key.startsWith("--")) {
                throw new UsageException("unexpected argument '" + a + "'; " + USAGE);
            }
            if (value == null) {
                if (i + 1 >= args.size()) {
                    throw new UsageException(key + " needs a value; " + USAGE);
                }
                value = args.get(++i);
            }
            switch (key) {
                case "--routes" -> routes = value;
                case "--state" -> state = value;
                case "--listen" -> b.listen(listen(value));
                case "--upstream-ca" -> {
                    if (!Files.isReadable(Path.of(value))) {
                        throw new UsageException("--upstream-ca " + value + ": not a readable file");
                    }
                    b.upstreamCa(Path.of(value));
                }
                case "--resolve" -> {
                    try {
                        b.resolve(ResolvePin.parse(value));
                    } catch (IllegalArgumentException e) {
                        throw new UsageException(e.getMessage());
                    }
                }
                case "--supervise-queue" -> supervise = value;
                case "--bottle" -> bottle = value;
                default -> throw new UsageException("unknown option " + key + "; " + USAGE);
            }
        }
        if (routes == null || state == null) {
            throw new UsageException((routes == null ? "--routes" : "--state") + " is required; " + USAGE);
        }
        Duration timeout;
        try {
            timeout = SupervisedHold.timeoutFrom(System.getenv(SupervisedHold.TIMEOUT_ENV));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        b.holdDecider(new SupervisedHold(queue, supervise == null ? null : Path.of(supervise), bottle, timeout));
        return b.routesFile(Path.of(routes)).stateDir(Path.of(state));
    }

    /** {@code HOST:PORT} or {@code [V6]:PORT}; the host must be an address (it is where to listen). */
    public static InetSocketAddress listen(String s) {
        int colon = s.lastIndexOf(':');
        if (colon <= 0) {
            throw new UsageException("--listen " + s + ": expected HOST:PORT");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 0 || port > 65535) {
            throw new UsageException("--listen " + s + ": bad port");
        }
        if (!host.matches("[0-9.]+|[0-9a-fA-F:]*:[0-9a-fA-F:.]*|localhost")) {
            throw new UsageException("--listen " + s + ": HOST must be an IP address");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new UsageException("--listen " + s + ": bad address");
        }
    }
}
