package bot.bottle.demo.core;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.SocketException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The parent's side: where the stand-in can listen, and the command line of the child kernel that runs
 * the bottle. A child because the API token must be in the launching process's environment (the
 * backend reads token values from there) and the sidecar options are read when the backend starts;
 * neither can be changed inside a running JVM.
 */
public final class Launch {
    /** Environment of the child: the token (the only secret), the slug and the stand-in's address. */
    public static final String ENV_SLUG = "BOT_BOTTLE_DEMO_SLUG";
    public static final String ENV_UPSTREAM = "BOT_BOTTLE_DEMO_UPSTREAM";

    private Launch() {
    }

    /**
     * The host's address on the engine's default bridge ({@code docker0}): this machine's own bridge,
     * reachable from a bottle's sidecar on its egress network and from no agent (the agent's network has
     * no route and no address on the host).
     */
    public static Optional<String> bridgeAddress(String ifName) {
        try {
            NetworkInterface nif = NetworkInterface.getByName(ifName);
            if (nif == null) {
                return Optional.empty();
            }
            for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                if (a instanceof Inet4Address) {
                    return Optional.of(a.getHostAddress());
                }
            }
        } catch (SocketException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** A port free on {@code address} now (the child binds it again a moment later). */
    public static int freePort(String address) throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(address, 0));
            return s.getLocalPort();
        }
    }

    /** The child kernel: same Java, same distribution, same home; the sidecar options as a system property. */
    public static List<String> childCommand(Path javaHome, Path dist, Map<String, String> properties) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaHome.resolve("bin").resolve("java").toString());
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-Xshare:auto");
        properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        cmd.add("-cp");
        cmd.add(dist.resolve("lib") + "/*");
        cmd.add("bot.bottle.kernel.Main");
        cmd.add("demo");
        cmd.add("--child");
        return cmd;
    }
}
