package bot.bottle.backend.docker.core;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The host's contrib DLP detectors, for the sidecar: every jar in {@code <home>/contrib} whose manifest
 * provides the {@code DlpDetector} service is copied into the bottle's state ({@code contrib/}), which
 * the sidecar mounts read-only as its own {@code contrib/} next to the host's {@code trust/}. The
 * sidecar's kernel verifies each signature again before it loads one, exactly as the host's does, so
 * a detector the user dropped in scans the bottle's traffic, and nothing unsigned gets in. Providers and
 * other host-only contrib bundles stay on the host.
 */
public final class ContribDetectors {
    static final String DETECTOR_SERVICE = "bot.bottle.api.dlp.DlpDetector";

    private ContribDetectors() {
    }

    /** Replaces {@code target}'s jars with the detector jars of {@code contrib}; returns their names. */
    public static List<String> copy(Path contrib, Path target) throws IOException {
        Files.createDirectories(target);
        try (DirectoryStream<Path> old = Files.newDirectoryStream(target, "*.jar")) {
            for (Path p : old) {
                Files.delete(p);
            }
        }
        List<String> copied = new ArrayList<>();
        if (!Files.isDirectory(contrib)) {
            return copied;
        }
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(contrib, "*.jar")) {
            for (Path jar : jars) {
                if (Files.isRegularFile(jar) && providesDetector(jar)) {
                    Files.copy(jar, target.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                    copied.add(jar.getFileName().toString());
                }
            }
        }
        copied.sort(null);
        return copied;
    }

    /** Whether the jar declares the detector service (bnd writes it for every DS component). */
    static boolean providesDetector(Path jar) {
        try (JarFile f = new JarFile(jar.toFile(), false)) {
            Manifest m = f.getManifest();
            String provided = m == null ? null : m.getMainAttributes().getValue(new Attributes.Name("Provide-Capability"));
            return provided != null && provided.contains("osgi.service") && provided.contains(DETECTOR_SERVICE);
        } catch (IOException e) {
            return false; // not a jar: the sidecar would refuse it anyway
        }
    }
}
