package bot.bottle.kernel;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertPath;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;

import jdk.security.jarsigner.JarSigner;

/**
 * Plugin authors' tools: a signing key, signing with the JDK's {@link JarSigner} API, and trusting a
 * certificate. No crypto of our own: the key pair and certificate come from the JDK's {@code keytool}.
 */
final class ContribTools {
    private static final String ALIAS = "contrib";

    private final Path home;

    ContribTools(Path home) {
        this.home = home;
    }

    Path keystore() {
        return home.resolve("keys").resolve("contrib.p12");
    }

    Path certificate() {
        return home.resolve("keys").resolve("contrib.crt");
    }

    private Path passwordFile() {
        return home.resolve("keys").resolve("contrib.p12.pass");
    }

    Path keygen(String commonName, boolean force) throws IOException, InterruptedException {
        if (commonName == null || commonName.isBlank() || !commonName.matches("[A-Za-z0-9 ._@-]{1,64}")) {
            throw new IllegalArgumentException("key name must be 1-64 letters, digits, spaces or ._@-");
        }
        Path keys = home.resolve("keys");
        Files.createDirectories(keys);
        restrict(keys, "rwx------");
        if (Files.exists(keystore()) && !force) {
            throw new IllegalStateException("a signing key already exists at " + keystore()
                    + " (use --force to replace it)");
        }
        Files.deleteIfExists(keystore());
        byte[] raw = new byte[24];
        new SecureRandom().nextBytes(raw);
        String pass = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        Files.writeString(passwordFile(), pass, StandardCharsets.US_ASCII);
        restrict(passwordFile(), "rw-------");
        run(List.of(keytool(), "-genkeypair", "-alias", ALIAS, "-keyalg", "EC", "-groupname", "secp256r1",
                "-sigalg", "SHA256withECDSA", "-validity", "3650", "-dname", "CN=" + commonName + ", O=bot-bottle contrib",
                "-storetype", "PKCS12", "-keystore", keystore().toString(), "-storepass:file", passwordFile().toString()));
        restrict(keystore(), "rw-------");
        run(List.of(keytool(), "-exportcert", "-rfc", "-alias", ALIAS, "-keystore", keystore().toString(),
                "-storetype", "PKCS12", "-storepass:file", passwordFile().toString(), "-file", certificate().toString()));
        return certificate();
    }

    Path sign(Path jar, Path out) throws Exception {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException("no such jar: " + jar);
        }
        if (!Files.exists(keystore())) {
            throw new IllegalStateException("no signing key; create one with: bot-bottle contrib keygen <name>");
        }
        char[] pass = Files.readString(passwordFile(), StandardCharsets.US_ASCII).trim().toCharArray();
        KeyStore ks = KeyStore.getInstance(keystore().toFile(), pass);
        PrivateKey key = (PrivateKey) ks.getKey(ALIAS, pass);
        Certificate[] chain = ks.getCertificateChain(ALIAS);
        CertPath path = CertificateFactory.getInstance("X.509").generateCertPath(Arrays.asList(chain));
        JarSigner signer = new JarSigner.Builder(key, path).digestAlgorithm("SHA-256").signerName("BOTBOTTL").build();
        Path target = out == null ? jar : out;
        Path tmp = Files.createTempFile(target.toAbsolutePath().getParent(), ".signing-", ".jar");
        try (ZipFile in = new ZipFile(jar.toFile()); OutputStream os = Files.newOutputStream(tmp)) {
            signer.sign(in, os);
        } catch (Exception e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return target;
    }

    Path trust(Path certificate) throws Exception {
        List<X509Certificate> certs = TrustStore.read(certificate);
        Path dir = home.resolve("trust");
        Files.createDirectories(dir);
        X509Certificate c = certs.get(0);
        String fp = TrustStore.fingerprint(c).replace(":", "").substring(0, 16).toLowerCase();
        Path target = dir.resolve("contrib-" + fp + ".crt");
        String pem = "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(c.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
        Path tmp = dir.resolve("." + target.getFileName() + ".tmp");
        Files.writeString(tmp, pem, StandardCharsets.US_ASCII);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return target;
    }

    List<String> trusted() throws Exception {
        List<String> problems = new ArrayList<>();
        List<String> out = new ArrayList<>();
        for (X509Certificate c : new TrustStore(home.resolve("trust")).certificates(problems)) {
            out.add(c.getSubjectX500Principal().getName() + "  SHA-256 " + TrustStore.fingerprint(c));
        }
        out.addAll(problems);
        return out;
    }

    private static String keytool() {
        return Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    }

    private static void run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("keytool timed out");
        }
        if (p.exitValue() != 0) {
            throw new IOException("keytool failed: " + ContribVerifier.oneLine(new String(output, StandardCharsets.UTF_8)));
        }
    }

    private static void restrict(Path p, String perms) {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
        } catch (UnsupportedOperationException | IOException ignored) {
            // best effort on non-POSIX file systems
        }
    }
}
