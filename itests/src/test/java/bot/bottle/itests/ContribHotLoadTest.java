package bot.bottle.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.osgi.framework.Bundle;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

import bot.bottle.kernel.Kernel;
import bot.bottle.kernel.api.ContribEntry;

/**
 * One running kernel for the whole class: a signed contrib bundle appears, is replaced and disappears
 * without a restart, and every kind of untrustworthy jar is refused while the kernel keeps running.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContribHotLoadTest {
    private static final String DETECTOR = "(bottle.detector.id=customer_id)";
    private static final long WAIT = 15_000;

    private Path tmp;
    private Kernel kernel;
    private Path contrib;
    private Path example;

    @BeforeAll
    void boot() throws Exception {
        tmp = Files.createTempDirectory("contrib-hotload-");
        Path home = tmp.resolve("home");
        kernel = Dist.kernel(home);
        contrib = home.resolve("contrib");
        Path cert = kernel.keygen("itest signer", false);
        kernel.trust(cert);
        example = Dist.exampleBundle();
    }

    @AfterAll
    void shutdown() throws Exception {
        kernel.close();
        try (var paths = Files.walk(tmp)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private Path signed(Path unsigned, String name) throws Exception {
        Path out = tmp.resolve("signed-" + name);
        kernel.sign(unsigned, out);
        return out;
    }

    private Optional<ContribEntry> entry(String file) {
        return kernel.contrib().stream().filter(e -> e.file().equals(file)).findFirst();
    }

    private boolean detectorRegistered() {
        try {
            ServiceReference<?>[] refs = kernel.context().getAllServiceReferences(null, DETECTOR);
            return refs != null && refs.length > 0;
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private Bundle contribBundle(String file) {
        return kernel.context().getBundle("contrib:" + file);
    }

    @Test
    @Order(1)
    void signedBundleAppearsIsReplacedAndDisappearsLive() throws Exception {
        assertTrue(!detectorRegistered(), "no customer_id detector before the drop");

        Dist.copyIn(signed(example, "v1.jar"), contrib, "customer-id.jar");
        assertTrue(Dist.await(this::detectorRegistered, WAIT), "detector service appears after the drop");
        ContribEntry e = entry("customer-id.jar").orElseThrow();
        assertEquals("active", e.state(), e.toString());
        assertEquals("bot.bottle.contrib.customerid", e.bundle());
        assertTrue(e.signer().contains("itest signer"), e.signer());
        long id = contribBundle("customer-id.jar").getBundleId();

        Path v2 = Jars.withManifest(example, tmp.resolve("v2.jar"), Map.of("Bundle-Version", "2.0.0"));
        Dist.copyIn(signed(v2, "v2.jar"), contrib, "customer-id.jar");
        assertTrue(Dist.await(() -> {
            Bundle b = contribBundle("customer-id.jar");
            return b != null && b.getVersion().toString().equals("2.0.0") && b.getState() == Bundle.ACTIVE
                    && detectorRegistered();
        }, WAIT), "the replaced jar updates the same bundle: " + kernel.contrib());
        assertEquals(id, contribBundle("customer-id.jar").getBundleId(), "updated in place, not reinstalled");
        assertEquals("2.0.0", entry("customer-id.jar").orElseThrow().version());

        Files.delete(contrib.resolve("customer-id.jar"));
        assertTrue(Dist.await(() -> !detectorRegistered() && contribBundle("customer-id.jar") == null, WAIT),
                "removing the jar uninstalls the bundle and its service");
        assertTrue(entry("customer-id.jar").isEmpty());
    }

    private void assertRefused(Path jar, String file, String reasonPart) throws Exception {
        Dist.copyIn(jar, contrib, file);
        assertTrue(Dist.await(() -> entry(file).map(x -> x.state().equals("refused")).orElse(false), WAIT),
                file + " refused, got " + entry(file));
        String reason = entry(file).orElseThrow().reason();
        assertTrue(reason.contains(reasonPart), "reason for " + file + " should contain '" + reasonPart + "': " + reason);
        assertNull(contribBundle(file), file + " must not be installed");
        assertTrue(!detectorRegistered(), "no service from a refused jar");
        assertEquals(Bundle.ACTIVE, kernel.framework().getState(), "the kernel keeps running");
        String log = Files.readString(kernel.home().resolve("logs/kernel.log"), StandardCharsets.UTF_8);
        assertTrue(log.contains("refused " + file + ": " + reason), "one log line names the jar and the reason");
        Files.delete(contrib.resolve(file));
        assertTrue(Dist.await(() -> entry(file).isEmpty(), WAIT));
    }

    @Test
    @Order(2)
    void unsignedJarIsRefused() throws Exception {
        assertRefused(example, "unsigned.jar", "unsigned jar");
    }

    @Test
    @Order(3)
    void untrustedSignerIsRefused() throws Exception {
        Path otherHome = tmp.resolve("other-home");
        Files.createDirectories(otherHome);
        Path out = tmp.resolve("untrusted.jar");
        try (Kernel other = new Kernel(otherHome, Dist.dir(), Map.of(), false)) {
            other.keygen("mallory", false);
            other.sign(example, out);
        }
        assertRefused(out, "untrusted.jar", "untrusted signer CN=mallory");
    }

    @Test
    @Order(4)
    void tamperedEntryIsRefused() throws Exception {
        Path good = signed(example, "for-tamper.jar");
        Path bad = Jars.rewrite(good, tmp.resolve("tampered.jar"), (name, data) -> {
            if (name.endsWith(".class")) {
                byte[] copy = data.clone();
                copy[copy.length - 1] ^= 1;
                return copy;
            }
            return data;
        }, Map.of());
        assertRefused(bad, "tampered.jar", "tampered entry");
    }

    @Test
    @Order(5)
    void unsignedExtraEntryIsRefused() throws Exception {
        Path good = signed(example, "for-extra.jar");
        Path bad = Jars.rewrite(good, tmp.resolve("extra.jar"), (n, d) -> d,
                Map.of("bot/bottle/evil/Payload.class", new byte[] {(byte) 0xCA, (byte) 0xFE}));
        assertRefused(bad, "extra.jar", "unsigned entry bot/bottle/evil/Payload.class");
    }

    @Test
    @Order(6)
    void deletedSignedEntryIsRefused() throws Exception {
        Path good = signed(example, "for-delete.jar");
        String[] dropped = {null};
        Path bad = Jars.rewrite(good, tmp.resolve("deleted.jar"), (name, data) -> {
            if (dropped[0] == null && name.endsWith(".class")) {
                dropped[0] = name;
                return null;
            }
            return data;
        }, Map.of());
        assertRefused(bad, "deleted.jar", "signed entry " + dropped[0] + " is missing");
    }

    @Test
    @Order(7)
    void signedNonBundleIsRefused() throws Exception {
        Path plain = signed(Jars.plainJar(tmp.resolve("plain.jar")), "plain.jar");
        assertRefused(plain, "plain.jar", "not an OSGi bundle");
    }

    @Test
    @Order(8)
    void unresolvableBundleIsRefused() throws Exception {
        Path needy = Jars.withManifest(example, tmp.resolve("needy.jar"),
                Map.of("Import-Package", "com.example.does.not.exist;version=\"[1.0,2)\"",
                        "Bundle-SymbolicName", "bot.bottle.contrib.needy"));
        assertRefused(signed(needy, "needy.jar"), "needy.jar", "unresolvable: missing requirement");
    }

    @Test
    @Order(9)
    void aGoodJarStillInstallsAfterAllRefusals() throws Exception {
        Dist.copyIn(signed(example, "again.jar"), contrib, "again.jar");
        assertTrue(Dist.await(this::detectorRegistered, WAIT), "kernel still installs trusted bundles");
        Files.delete(contrib.resolve("again.jar"));
        assertTrue(Dist.await(() -> !detectorRegistered(), WAIT));
    }
}
