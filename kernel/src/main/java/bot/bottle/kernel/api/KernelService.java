package bot.bottle.kernel.api;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

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
}
