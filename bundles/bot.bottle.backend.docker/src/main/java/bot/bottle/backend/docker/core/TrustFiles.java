package bot.bottle.backend.docker.core;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;

/**
 * The trust files copied into the agent before it starts: the bottle's CA certificate as PEM and as a
 * PKCS12 trust store for Java. Certificates only: the CA key is never read here.
 */
public final class TrustFiles {
    private TrustFiles() {
    }

    /** A build context (used as a tar) placing both files under {@value Layout#AGENT_TRUST_DIR}. */
    public static BuildContext forAgent(byte[] caPem) {
        String dir = Layout.AGENT_TRUST_DIR.substring(1);
        return new BuildContext()
                .add(dir + "/ca.crt", caPem, 0644)
                .add(dir + "/truststore.p12", truststore(caPem), 0644);
    }

    static byte[] truststore(byte[] caPem) {
        try {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(caPem));
            if (certs.isEmpty()) {
                throw new IllegalStateException("the bottle's CA file holds no certificate");
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            int i = 0;
            for (Certificate c : certs) {
                ks.setCertificateEntry("bot-bottle-ca-" + i++, c);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ks.store(out, Layout.TRUSTSTORE_PASSWORD.toCharArray());
            return out.toByteArray();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build the agent's trust store: " + e.getMessage(), e);
        }
    }
}
