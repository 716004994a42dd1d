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
 * The trust files the agent mounts read-only: the bottle's CA certificate as PEM and as a
 * JKS trust store for Java. Certificates only: the CA key is never read here.
 *
 * <p>JKS, not PKCS12: a PKCS12 store's certificates are encrypted and MACed with 10,000-round
 * password-based keys, about 65 ms of a cold JVM's CPU on every bottle start, for a store of one public
 * certificate under a well-known password in a read-only mount. Every JDK reads JKS.
 */
public final class TrustFiles {
    private TrustFiles() {
    }

    /** Writes {@code ca.crt} and {@code truststore.jks} into {@code dir} (mode 0644), atomically each. */
    public static void write(java.nio.file.Path dir, byte[] caPem) throws IOException {
        java.nio.file.Files.createDirectories(dir);
        byte[] store = truststore(caPem);
        put(dir.resolve("ca.crt"), caPem);
        put(dir.resolve("truststore.jks"), store);
    }

    private static void put(java.nio.file.Path f, byte[] data) throws IOException {
        java.nio.file.Path tmp = java.nio.file.Files.createTempFile(f.getParent(), ".trust", ".tmp");
        try {
            java.nio.file.Files.write(tmp, data);
            java.nio.file.Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            java.nio.file.Files.move(tmp, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            java.nio.file.Files.deleteIfExists(tmp);
        }
    }

    static byte[] truststore(byte[] caPem) {
        try {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(caPem));
            if (certs.isEmpty()) {
                throw new IllegalStateException("the bottle's CA file holds no certificate");
            }
            KeyStore ks = KeyStore.getInstance("JKS");
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
