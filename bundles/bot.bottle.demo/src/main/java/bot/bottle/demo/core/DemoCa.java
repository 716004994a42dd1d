package bot.bottle.demo.core;

import java.io.StringWriter;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throwaway CA for the stand-in upstream and one leaf for its host names. The sidecar's egress proxy
 * is told to trust the CA ({@code bot.bottle.egress.upstreamCa}); the key lives only in this process.
 */
public final class DemoCa {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final X509Certificate caCert;
    private final X509Certificate leafCert;
    private final KeyPair leafKeys;

    private DemoCa(X509Certificate caCert, X509Certificate leafCert, KeyPair leafKeys) {
        this.caCert = caCert;
        this.leafCert = leafCert;
        this.leafKeys = leafKeys;
    }

    /** A new CA and a leaf for {@code hosts} (SAN DNS names), both valid for a day. */
    public static DemoCa create(List<String> hosts) throws Exception {
        KeyPair caKeys = ecKeys();
        X500Name caName = new X500Name("CN=bot-bottle demo upstream CA");
        Instant now = Instant.now();
        Date from = Date.from(now.minus(Duration.ofMinutes(5)));
        Date to = Date.from(now.plus(Duration.ofDays(1)));
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();

        JcaX509v3CertificateBuilder ca = new JcaX509v3CertificateBuilder(caName, serial(), from, to, caName,
                caKeys.getPublic());
        ca.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
        ca.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        ca.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(caKeys.getPublic()));
        X509Certificate caCert = convert(ca.build(signer(caKeys)));

        KeyPair leafKeys = ecKeys();
        JcaX509v3CertificateBuilder leaf = new JcaX509v3CertificateBuilder(caName, serial(), from, to,
                new X500Name("CN=" + hosts.get(0)), leafKeys.getPublic());
        GeneralName[] names = hosts.stream().map(h -> new GeneralName(GeneralName.dNSName, h))
                .toArray(GeneralName[]::new);
        leaf.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
        leaf.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        leaf.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        leaf.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        leaf.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCert));
        X509Certificate leafCert = convert(leaf.build(signer(caKeys)));
        return new DemoCa(caCert, leafCert, leafKeys);
    }

    private static KeyPair ecKeys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return g.generateKeyPair();
    }

    private static BigInteger serial() {
        return new BigInteger(64, RANDOM).abs().add(BigInteger.ONE);
    }

    private static ContentSigner signer(KeyPair keys) throws Exception {
        // the JDK's provider signs: no BouncyCastle provider has to be registered in the JVM
        return new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate());
    }

    private static X509Certificate convert(X509CertificateHolder h) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(h);
    }

    public X509Certificate caCertificate() {
        return caCert;
    }

    /** The CA certificate in PEM, for the proxy's upstream trust. */
    public String caPem() throws Exception {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(w)) {
            pem.writeObject(caCert);
        }
        return w.toString();
    }

    /** A server TLS context presenting the leaf (and the CA) with the leaf's key. */
    public SSLContext serverContext() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        char[] pw = "demo".toCharArray();
        ks.setKeyEntry("leaf", leafKeys.getPrivate(), pw, new X509Certificate[] {leafCert, caCert});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, pw);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, RANDOM);
        return ctx;
    }
}
