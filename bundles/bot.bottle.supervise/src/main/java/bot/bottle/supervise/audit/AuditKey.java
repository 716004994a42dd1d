package bot.bottle.supervise.audit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Set;

import bot.bottle.supervise.queue.AtomicFiles;

/**
 * The host's Ed25519 audit key (JDK provider, no extra dependency): {@code keys/audit-ed25519}
 * (PKCS#8, mode 0600) and {@code keys/audit-ed25519.pub} (X.509 SubjectPublicKeyInfo). It never leaves
 * the host: sidecars do not write audit entries.
 */
public final class AuditKey {

    static final String FILE = "audit-ed25519";

    private final PublicKey publicKey;
    private final PrivateKey privateKey; // null for a verify-only key

    private AuditKey(PublicKey publicKey, PrivateKey privateKey) {
        this.publicKey = publicKey;
        this.privateKey = privateKey;
    }

    /** Loads the key pair from {@code keysDir}, creating it on first use. */
    public static synchronized AuditKey loadOrCreate(Path keysDir) throws IOException {
        Path priv = keysDir.resolve(FILE);
        Path pub = keysDir.resolve(FILE + ".pub");
        try {
            if (!Files.exists(priv)) {
                KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
                AtomicFiles.write(pub, pem("PUBLIC KEY", kp.getPublic().getEncoded()));
                // private key last: its presence marks a complete pair
                AtomicFiles.write(priv, pem("PRIVATE KEY", kp.getPrivate().getEncoded()));
                return new AuditKey(kp.getPublic(), kp.getPrivate());
            }
            checkPrivate(priv);
            KeyFactory kf = KeyFactory.getInstance("Ed25519");
            PrivateKey privateKey = kf.generatePrivate(new PKCS8EncodedKeySpec(unpem(priv)));
            PublicKey publicKey = kf.generatePublic(new X509EncodedKeySpec(unpem(pub)));
            AuditKey key = new AuditKey(publicKey, privateKey);
            if (!key.verify("pair-check".getBytes(StandardCharsets.UTF_8),
                    key.sign("pair-check".getBytes(StandardCharsets.UTF_8)))) {
                throw new IOException(pub + " does not belong to " + priv);
            }
            return key;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use audit key in " + keysDir + ": " + e.getMessage(), e);
        }
    }

    /** Loads only the public key, for verification. */
    public static AuditKey loadPublic(Path keysDir) throws IOException {
        Path pub = keysDir.resolve(FILE + ".pub");
        try {
            return new AuditKey(KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(unpem(pub))),
                    null);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read audit public key " + pub + ": " + e.getMessage(), e);
        }
    }

    /** {@code SHA256:<base64>} of the public key, recorded in every entry. */
    public String fingerprint() {
        try {
            return "SHA256:" + Base64.getEncoder().withoutPadding()
                    .encodeToString(MessageDigest.getInstance("SHA-256").digest(publicKey.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public byte[] sign(byte[] data) {
        if (privateKey == null) {
            throw new IllegalStateException("verify-only audit key");
        }
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(privateKey);
            s.update(data);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public boolean verify(byte[] data, byte[] sig) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(publicKey);
            s.update(data);
            return s.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static void checkPrivate(Path priv) throws IOException {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(priv);
            for (PosixFilePermission p : perms) {
                if (p.name().startsWith("GROUP") || p.name().startsWith("OTHERS")) {
                    throw new IOException(priv + " is accessible by other users; run chmod 600 on it");
                }
            }
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: nothing to check
        }
    }

    private static byte[] pem(String type, byte[] der) {
        return ("-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] unpem(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        String body = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        try {
            return Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + " is not a PEM key");
        }
    }
}
