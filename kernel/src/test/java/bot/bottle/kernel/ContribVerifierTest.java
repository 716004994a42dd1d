package bot.bottle.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContribVerifierTest {

    @Test
    void onlyTopLevelSignatureFilesAreExempt() {
        assertTrue(ContribVerifier.isSignatureFile("META-INF/MANIFEST.MF"));
        assertTrue(ContribVerifier.isSignatureFile("META-INF/BOTBOTTL.SF"));
        assertTrue(ContribVerifier.isSignatureFile("META-INF/BOTBOTTL.EC"));
        assertTrue(ContribVerifier.isSignatureFile("META-INF/sig-x"));
        assertFalse(ContribVerifier.isSignatureFile("META-INF/maven/x/pom.xml"));
        assertFalse(ContribVerifier.isSignatureFile("META-INF/sub/EVIL.SF"), "a nested .SF is an ordinary entry");
        assertFalse(ContribVerifier.isSignatureFile("bot/Bottle.class"));
    }

    @Test
    void garbageIsRefusedNotThrown(@TempDir Path dir) throws Exception {
        Path junk = dir.resolve("junk.jar");
        Files.writeString(junk, "this is not a zip");
        ContribVerifier.Verdict v = new ContribVerifier(new TrustStore(dir.resolve("trust"))).verify(junk);
        assertFalse(v.accepted());
        assertTrue(v.reason().startsWith("not a jar") || v.reason().startsWith("cannot verify"), v.reason());
    }

    @Test
    void aCertificateFileThatIsNotOneIsReportedNotFatal(@TempDir Path dir) throws Exception {
        Path trust = Files.createDirectories(dir.resolve("trust"));
        Files.writeString(trust.resolve("bad.crt"), "nope");
        java.util.List<String> problems = new java.util.ArrayList<>();
        assertEquals(0, new TrustStore(trust).certificates(problems).size());
        assertEquals(1, problems.size());
        assertTrue(problems.get(0).startsWith("bad.crt: not a certificate"), problems.get(0));
    }
}
