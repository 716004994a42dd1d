package bot.bottle.api.egress;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Makes a bottle's egress CA where the egress proxy will load it, before the proxy runs: a backend
 * uses it on the host so the agent's trust files exist before the sidecar has booted. The private key
 * stays in the bottle's state directory (owner-only), which no agent mounts. Implemented by the
 * {@code bot.bottle.egress} bundle, with the same code the proxy uses when it finds no CA.
 */
@ProviderType
public interface EgressCa {

    /** File name of the CA certificate (PEM) in the CA directory. */
    String CERTIFICATE = "ca.crt";

    /**
     * Creates the CA in {@code dir} unless it is already there (neither file is read then).
     *
     * @return the certificate file
     * @throws IOException when only one of the key and the certificate exists (never replaced: an
     *                     agent may trust the old one), or the files cannot be written
     */
    Path ensure(Path dir) throws IOException, GeneralSecurityException;
}
