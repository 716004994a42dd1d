package bot.bottle.egress.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BottleCaTest {
    @TempDir
    Path dir;

    @Test
    void createsOnceThenLoadsTheSameCa() throws Exception {
        BottleCa a = BottleCa.loadOrCreate(dir, "t");
        BottleCa b = BottleCa.loadOrCreate(dir, "t");
        assertEquals(a.certificate(), b.certificate());
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("ca.key"))));
        assertEquals(0, a.certificate().getBasicConstraints());
    }

    @Test
    void leavesAreSignedForTheNameAndServerAuthOnly() throws Exception {
        BottleCa ca = BottleCa.loadOrCreate(dir, "t");
        X509Certificate leaf = ca.issue("api.example.test");
        leaf.verify(ca.certificate().getPublicKey());
        assertEquals(-1, leaf.getBasicConstraints());
        assertEquals(List.<List<?>>of(List.of(2, "api.example.test")), leaf.getSubjectAlternativeNames().stream()
                .<List<?>>map(l -> List.copyOf(l)).toList());
        assertTrue(leaf.getExtendedKeyUsage().contains("1.3.6.1.5.5.7.3.1"));
    }

    @Test
    void aHalfPresentCaIsNotReplaced() throws Exception {
        BottleCa.loadOrCreate(dir, "t");
        Files.delete(dir.resolve("ca.crt"));
        IOException e = assertThrows(IOException.class, () -> BottleCa.loadOrCreate(dir, "t"));
        assertTrue(e.getMessage().contains("refusing to replace"), e.getMessage());
    }
}
