package bot.bottle.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * The certificates allowed to sign contrib bundles: every {@code *.crt}, {@code *.pem} or {@code *.cer}
 * file in {@code $BOT_BOTTLE_HOME/trust/}. A signer is trusted only when its own (end-entity)
 * certificate is one of them: no chain building, so a trusted certificate cannot vouch for others by
 * accident. Read fresh for every verification, so trusting a key takes effect without a restart.
 */
final class TrustStore {
    private final Path dir;

    TrustStore(Path dir) {
        this.dir = dir;
    }

    Path dir() {
        return dir;
    }

    /** Loads every certificate; a file that is not a certificate is skipped and reported. */
    List<X509Certificate> certificates(List<String> problems) throws IOException {
        List<X509Certificate> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.{crt,pem,cer}")) {
            for (Path f : files) {
                try {
                    out.addAll(read(f));
                } catch (IOException | GeneralSecurityException e) {
                    problems.add(f.getFileName() + ": not a certificate (" + e.getMessage() + ")");
                }
            }
        }
        return out;
    }

    static List<X509Certificate> read(Path file) throws IOException, GeneralSecurityException {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        try (InputStream in = Files.newInputStream(file)) {
            List<X509Certificate> certs = new ArrayList<>();
            for (Certificate c : cf.generateCertificates(in)) {
                certs.add((X509Certificate) c);
            }
            if (certs.isEmpty()) {
                throw new GeneralSecurityException("no certificate found");
            }
            return certs;
        }
    }

    static boolean contains(List<X509Certificate> trusted, X509Certificate cert) throws GeneralSecurityException {
        byte[] enc = cert.getEncoded();
        for (X509Certificate t : trusted) {
            if (Arrays.equals(t.getEncoded(), enc)) {
                return true;
            }
        }
        return false;
    }

    static String fingerprint(X509Certificate cert) throws GeneralSecurityException {
        byte[] d = MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
        return HexFormat.ofDelimiter(":").withUpperCase().formatHex(d);
    }
}
