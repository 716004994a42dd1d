package bot.bottle.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.security.CodeSigner;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * Decides whether a contrib jar may be installed: every entry must be signed by a trusted certificate,
 * every entry the signed manifest lists must be present, and the jar must be an OSGi bundle.
 *
 * <p>Why more than {@code JarFile} verification: the JDK accepts a signed jar with an added unsigned
 * entry and does not notice deleted entries (both seen with {@code jarsigner -verify}). So each entry's
 * signers are checked one by one, and the manifest's digest list is checked against the jar.
 */
final class ContribVerifier {

    /** The outcome: {@code reason} is empty when the jar is accepted. */
    record Verdict(String reason, String bundle, String version, String signer) {
        boolean accepted() {
            return reason.isEmpty();
        }

        static Verdict refused(String reason) {
            return new Verdict(reason, "", "", "");
        }
    }

    private final TrustStore trust;

    ContribVerifier(TrustStore trust) {
        this.trust = trust;
    }

    Verdict verify(Path jar) {
        try {
            return check(jar);
        } catch (SecurityException e) {
            // JarFile throws this when an entry's digest does not match the signed manifest.
            return Verdict.refused("tampered entry: " + oneLine(e.getMessage()));
        } catch (java.util.zip.ZipException e) {
            return Verdict.refused("not a jar: " + oneLine(e.getMessage()));
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            return Verdict.refused("cannot verify: " + oneLine(String.valueOf(e.getMessage())));
        }
    }

    private Verdict check(Path path) throws IOException, GeneralSecurityException {
        List<String> trustProblems = new ArrayList<>();
        List<X509Certificate> trusted = trust.certificates(trustProblems);
        try (JarFile jar = new JarFile(path.toFile(), true)) {
            Manifest manifest = jar.getManifest();
            if (manifest == null) {
                return Verdict.refused("unsigned: no manifest");
            }
            Set<String> names = new HashSet<>();
            boolean hasSignatureFile = false;
            X509Certificate signer = null;
            byte[] buf = new byte[16 * 1024];
            for (Enumeration<JarEntry> en = jar.entries(); en.hasMoreElements();) {
                JarEntry e = en.nextElement();
                String name = e.getName();
                if (!names.add(name)) {
                    return Verdict.refused("duplicate entry " + name);
                }
                if (isSignatureFile(name)) {
                    hasSignatureFile |= name.toUpperCase(Locale.ROOT).endsWith(".SF");
                    continue;
                }
                if (e.isDirectory()) {
                    continue;
                }
                // Reading the entry to its end is what makes JarFile check its digest.
                try (InputStream in = jar.getInputStream(e)) {
                    while (in.read(buf) >= 0) {
                        // drain
                    }
                }
                CodeSigner[] signers = e.getCodeSigners();
                if (signers == null || signers.length == 0) {
                    return Verdict.refused(hasAnySignature(jar) ? "unsigned entry " + name : "unsigned jar");
                }
                X509Certificate trustedSigner = null;
                X509Certificate firstSigner = null;
                for (CodeSigner s : signers) {
                    List<? extends Certificate> chain = s.getSignerCertPath().getCertificates();
                    if (chain.isEmpty()) {
                        continue;
                    }
                    X509Certificate c = (X509Certificate) chain.get(0);
                    if (firstSigner == null) {
                        firstSigner = c;
                    }
                    if (TrustStore.contains(trusted, c)) {
                        trustedSigner = c;
                        break;
                    }
                }
                if (trustedSigner == null) {
                    String who = firstSigner == null ? "unknown" : firstSigner.getSubjectX500Principal().getName();
                    return Verdict.refused("untrusted signer " + who + " (fingerprint "
                            + (firstSigner == null ? "?" : TrustStore.fingerprint(firstSigner))
                            + "); trust it with: bot-bottle contrib trust <cert>");
                }
                signer = trustedSigner;
            }
            if (!hasSignatureFile || signer == null) {
                return Verdict.refused("unsigned jar");
            }
            // Entries the signature covers must all still be there (deletion is invisible to JarFile).
            for (Map.Entry<String, Attributes> me : manifest.getEntries().entrySet()) {
                boolean hasDigest = me.getValue().keySet().stream()
                        .anyMatch(k -> k.toString().toUpperCase(Locale.ROOT).endsWith("-DIGEST"));
                if (hasDigest && !names.contains(me.getKey())) {
                    return Verdict.refused("signed entry " + me.getKey() + " is missing");
                }
            }
            Attributes main = manifest.getMainAttributes();
            String bsn = main.getValue("Bundle-SymbolicName");
            if (bsn == null || bsn.isBlank()) {
                return Verdict.refused("not an OSGi bundle: no Bundle-SymbolicName");
            }
            bsn = bsn.split(";", 2)[0].trim();
            String version = main.getValue("Bundle-Version");
            return new Verdict("", bsn, version == null ? "0.0.0" : version.trim(),
                    signer.getSubjectX500Principal().getName());
        }
    }

    private static boolean hasAnySignature(JarFile jar) {
        for (Enumeration<JarEntry> en = jar.entries(); en.hasMoreElements();) {
            String n = en.nextElement().getName().toUpperCase(Locale.ROOT);
            if (n.startsWith("META-INF/") && n.endsWith(".SF")) {
                return true;
            }
        }
        return false;
    }

    /** Files of the signature itself, which cannot be signed (JAR File Specification, "Signed JAR File"). */
    static boolean isSignatureFile(String name) {
        String n = name.toUpperCase(Locale.ROOT);
        if (!n.startsWith("META-INF/") || n.indexOf('/', "META-INF/".length()) >= 0) {
            return false;
        }
        return n.equals("META-INF/MANIFEST.MF") || n.endsWith(".SF") || n.endsWith(".RSA")
                || n.endsWith(".DSA") || n.endsWith(".EC") || n.startsWith("META-INF/SIG-");
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("[\\r\\n\\t]+", " ").trim();
    }
}
