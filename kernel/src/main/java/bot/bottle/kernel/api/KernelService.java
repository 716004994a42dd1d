package bot.bottle.kernel.api;

import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.sun.net.httpserver.HttpServer;

/**
 * What the kernel offers to bundles (registered on the system bundle; the package is exported by the
 * framework through {@code org.osgi.framework.system.packages.extra}).
 */
public interface KernelService {

    /**
     * Service property set to {@code true} on this service once the kernel has started every
     * distribution bundle and reconciled {@code contrib/} (so every contrib detector is bound): a bundle
     * that must not serve before then (the sidecar's egress proxy) waits for it with the filter
     * {@code (&(objectClass=bot.bottle.kernel.api.KernelService)(bot.bottle.kernel.started=true))}.
     */
    String STARTED = "bot.bottle.kernel.started";

    /**
     * Service property (and framework property setting it): how this kernel runs, {@value #MODE_DAEMON}
     * for {@code bot-bottle daemon} (a bottle's sidecar), otherwise {@code command} (one command) or
     * {@code shell}. Components that serve a bottle from its sidecar reference this service with the target
     * {@code (bot.bottle.kernel.mode=daemon)}, so a command on the host never activates them (nor loads
     * their classes: the git gate's embedded JGit, for one).
     *
     * @since 1.1
     */
    String MODE = "bot.bottle.kernel.mode";

    /** The {@link #MODE} of {@code bot-bottle daemon}. @since 1.1 */
    String MODE_DAEMON = "daemon";

    /** The reference target of sidecar-only components. @since 1.1 */
    String DAEMON_TARGET = "(" + MODE + "=" + MODE_DAEMON + ")";

    /** {@code $BOT_BOTTLE_HOME}, default {@code ~/.bot-bottle}. */
    Path home();

    /** Every jar in {@code contrib/} with its state, sorted by file name. */
    List<ContribEntry> contrib();

    /** Re-reads {@code contrib/} now and waits until it is reconciled. */
    void rescanContrib();

    /** Distribution bundles that failed to resolve or start, by symbolic name, with the reason. */
    Map<String, String> bundleProblems();

    /**
     * Generates the plugin-signing key pair (EC P-256) in {@code keys/contrib.p12} and its certificate in
     * {@code keys/contrib.crt}. Refuses to overwrite an existing key unless {@code force}.
     *
     * @return the certificate file
     */
    Path keygen(String commonName, boolean force) throws Exception;

    /** Signs a jar in place (or into {@code out} when not null) with the key from {@link #keygen}. */
    Path sign(Path jar, Path out) throws Exception;

    /** Adds a certificate (PEM or DER) to {@code trust/}. Returns the stored file. */
    Path trust(Path certificate) throws Exception;

    /** The subject and SHA-256 fingerprint of every certificate in {@code trust/}. */
    List<String> trusted() throws Exception;

    /**
     * Framework property of the daemon: listening sockets it binds before the framework starts
     * ({@code tcp:HOST:PORT} or {@code http:HOST:PORT}, comma-separated), so that a sidecar takes
     * connections from its first moments; each waits in the listen backlog until the service that takes
     * the socket serves it. Sockets no service took by the end of the start are closed.
     */
    String LISTEN = "bot.bottle.kernel.listen";

    /**
     * The {@code tcp:} socket the kernel bound for {@code address} (the same IP and port as the service's
     * own setting), handed over once: the caller owns it from then on, and must close it if it cannot
     * serve. Empty when the kernel holds none for it (then the service binds itself).
     *
     * @since 1.1
     */
    Optional<ServerSocketChannel> takeListener(InetSocketAddress address);

    /**
     * As {@link #takeListener}, for an {@code http:} socket: a JDK {@link HttpServer}, bound, not started,
     * with no context; the caller adds its contexts and executor and starts it, and {@link #release}s it
     * if it cannot serve.
     *
     * @since 1.1
     */
    Optional<HttpServer> takeHttpServer(InetSocketAddress address);

    /**
     * Stops {@code server} whether or not it was started, closing its port: the JDK registers the socket of
     * a server that was never started with a selector only its dispatcher runs, so {@code stop} alone
     * leaves the port taking connections.
     *
     * @since 1.1
     */
    static void release(HttpServer server) {
        try {
            server.start();
        } catch (IllegalStateException started) {
            // started already: stop closes it
        }
        server.stop(0);
    }
}
