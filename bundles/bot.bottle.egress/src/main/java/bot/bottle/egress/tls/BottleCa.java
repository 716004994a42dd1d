package bot.bottle.egress.tls;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Set;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The bottle's own certificate authority, kept in the bottle's state directory: {@code ca.key} (PEM,
 * mode 0600, never mounted into the agent) and {@code ca.crt} (PEM, what the agent trusts). Leaf
 * certificates for intercepted hosts are issued on demand with one process-wide leaf key (as mitmproxy
 * does: the CA signature is what the client checks, and a shared key makes issuing a signature only).
 *
 * <p>EC P-256 throughout: issuing a leaf costs a fraction of a millisecond, and curl, OpenSSL, Git and
 * the JDK all accept it. Keys are generated with the JDK's providers; BouncyCastle only builds and
 * encodes certificates, so no security provider is registered globally.
 */
public final class BottleCa {
    public static final String KEY_FILE = "ca.key";
    public static final String CERT_FILE = bot.bottle.api.egress.EgressCa.CERTIFICATE;
    private static final Duration CA_VALIDITY = Duration.ofDays(3650);
    private static final Duration LEAF_VALIDITY = Duration.ofDays(30);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final PrivateKey caKey;
    private final X509Certificate caCert;
    private final Path certPath;
    private final KeyPair leafKeys;

    private BottleCa(PrivateKey caKey, X509Certificate caCert, Path certPath) throws GeneralSecurityException {
        this.caKey = caKey;
        this.caCert = caCert;
        this.certPath = certPath;
        this.leafKeys = newEcKeyPair();
    }

    /** The common name of the CA made in {@code dir} (the proxy's and the host's maker agree). */
    public static String commonNameFor(Path dir) {
        return "bot-bottle egress CA " + dir.toAbsolutePath().getFileName();
    }

    /**
     * Loads the CA from {@code dir}, creating it when neither file exists. Refuses a half-present CA
     * (one file without the other) instead of silently replacing a key the agent may already trust.
     */
    public static BottleCa loadOrCreate(Path dir, String commonName) throws IOException, GeneralSecurityException {
        Files.createDirectories(dir);
        Path key = dir.resolve(KEY_FILE);
        Path crt = dir.resolve(CERT_FILE);
        boolean hasKey = Files.exists(key);
        boolean hasCrt = Files.exists(crt);
        if (hasKey && hasCrt) {
            return load(key, crt);
        }
        if (hasKey || hasCrt) {
            throw new IOException(dir + ": found " + (hasKey ? KEY_FILE : CERT_FILE) + " without "
                    + (hasKey ? CERT_FILE : KEY_FILE) + "; refusing to replace a half-present CA");
        }
        KeyPair kp = newEcKeyPair();
        X509Certificate cert = selfSign(kp, commonName);
        writeAtomically(key, pkcs8Pem(kp.getPrivate()), true);
        writeAtomically(crt, pem(cert), false);
        return new BottleCa(kp.getPrivate(), cert, crt);
    }

    private static BottleCa load(Path key, Path crt) throws IOException, GeneralSecurityException {
        PrivateKey pk;
        X509Certificate cert;
        try (Reader r = Files.newBufferedReader(key, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
            Object o = p.readObject();
            JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
            if (o instanceof PEMKeyPair kp) {
                pk = conv.getPrivateKey(kp.getPrivateKeyInfo());
            } else if (o instanceof PrivateKeyInfo info) {
                pk = conv.getPrivateKey(info);
            } else {
                throw new IOException(key + ": not a PEM private key");
            }
        }
        try (Reader r = Files.newBufferedReader(crt, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
            Object o = p.readObject();
            if (!(o instanceof X509CertificateHolder h)) {
                throw new IOException(crt + ": not a PEM certificate");
            }
            cert = new JcaX509CertificateConverter().getCertificate(h);
        }
        return new BottleCa(pk, cert, crt);
    }

    public X509Certificate certificate() {
        return caCert;
    }

    /** {@code <state>/ca.crt}: give this file (never the key) to the agent. */
    public Path certificatePath() {
        return certPath;
    }

    public PrivateKey leafKey() {
        return leafKeys.getPrivate();
    }

    /** Issues a leaf for DNS names (the first is the subject), valid for 30 days (callers cache it). */
    public X509Certificate issue(String dnsName, String... more) throws GeneralSecurityException {
        Instant now = Instant.now();
        Instant notAfter = now.plus(LEAF_VALIDITY);
        if (notAfter.isAfter(caCert.getNotAfter().toInstant())) {
            notAfter = caCert.getNotAfter().toInstant();
        }
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(caCert, serial(),
                    Date.from(now.minus(Duration.ofHours(1))), Date.from(notAfter),
                    new X500Name("CN=" + dnsName), leafKeys.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            GeneralName[] names = new GeneralName[1 + more.length];
            names[0] = new GeneralName(GeneralName.dNSName, dnsName);
            for (int i = 0; i < more.length; i++) {
                names[i + 1] = new GeneralName(GeneralName.dNSName, more[i]);
            }
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
            b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCert));
            b.addExtension(Extension.subjectKeyIdentifier, false,
                    ext.createSubjectKeyIdentifier(leafKeys.getPublic()));
            return new JcaX509CertificateConverter().getCertificate(b.build(signer(caKey)));
        } catch (OperatorCreationException | IOException e) {
            throw new GeneralSecurityException("cannot issue a certificate for " + dnsName, e);
        }
    }

    private static X509Certificate selfSign(KeyPair kp, String cn) throws GeneralSecurityException {
        Instant now = Instant.now();
        X500Name name = new X500Name("CN=" + cn + ",O=bot-bottle");
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(),
                    Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(CA_VALIDITY)), name, kp.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
            return new JcaX509CertificateConverter().getCertificate(b.build(signer(kp.getPrivate())));
        } catch (OperatorCreationException | IOException e) {
            throw new GeneralSecurityException("cannot create the bottle CA", e);
        }
    }

    private static ContentSigner signer(PrivateKey key) throws OperatorCreationException {
        return new JcaContentSignerBuilder("SHA256withECDSA").build(key);
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }

    private static KeyPair newEcKeyPair() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return g.generateKeyPair();
    }

    /** PKCS#8 ("PRIVATE KEY") PEM: the JDK encoding keeps the curve, so the key reads back anywhere. */
    static String pkcs8Pem(PrivateKey key) {
        return "-----BEGIN PRIVATE KEY-----\n"
                + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    /** PEM text of a certificate. */
    public static String pem(Object o) throws IOException {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            w.writeObject(o);
        }
        return sw.toString();
    }

    /** Temp file in the same directory, permissions set before any byte is written, then renamed. */
    private static void writeAtomically(Path target, String text, boolean secret) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp;
        boolean posix = Files.getFileStore(dir).supportsFileAttributeView("posix");
        if (posix) {
            Set<PosixFilePermission> perms = PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--");
            tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp", PosixFilePermissions.asFileAttribute(perms));
        } else {
            tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
        }
        try {
            Files.writeString(tmp, text, StandardCharsets.US_ASCII);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target);
            }
        } catch (FileAlreadyExistsException e) {
            throw new IOException(target + " appeared while the CA was being created", e);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
