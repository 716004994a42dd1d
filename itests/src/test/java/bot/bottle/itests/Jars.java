package bot.bottle.itests;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/** Builds the hostile and benign jars the trust tests need, by rewriting real jars entry by entry. */
final class Jars {
    private Jars() {
    }

    /**
     * Copies {@code in} to {@code out}, passing each entry's bytes through {@code edit} (return null to
     * drop the entry), then appends {@code extra} entries.
     */
    static Path rewrite(Path in, Path out, BiFunction<String, byte[], byte[]> edit, Map<String, byte[]> extra)
            throws IOException {
        try (ZipFile zip = new ZipFile(in.toFile());
                OutputStream os = Files.newOutputStream(out);
                java.util.zip.ZipOutputStream zos = new java.util.zip.ZipOutputStream(os)) {
            for (var en = zip.entries(); en.hasMoreElements();) {
                ZipEntry e = en.nextElement();
                byte[] data;
                try (InputStream is = zip.getInputStream(e)) {
                    data = is.readAllBytes();
                }
                byte[] edited = e.isDirectory() ? data : edit.apply(e.getName(), data);
                if (edited == null) {
                    continue;
                }
                zos.putNextEntry(new ZipEntry(e.getName()));
                zos.write(edited);
                zos.closeEntry();
            }
            for (Map.Entry<String, byte[]> x : extra.entrySet()) {
                zos.putNextEntry(new ZipEntry(x.getKey()));
                zos.write(x.getValue());
                zos.closeEntry();
            }
        }
        return out;
    }

    /** Returns the jar with its main manifest attributes changed (signatures are dropped). */
    static Path withManifest(Path in, Path out, Map<String, String> set) throws IOException {
        return rewrite(in, out, (name, data) -> {
            if (isSignature(name)) {
                return null;
            }
            if (!name.equals("META-INF/MANIFEST.MF")) {
                return data;
            }
            try {
                Manifest m = new Manifest(new java.io.ByteArrayInputStream(data));
                m.getEntries().clear();
                set.forEach((k, v) -> m.getMainAttributes().put(new Attributes.Name(k), v));
                ByteArrayOutputStream bos = new ByteArrayOutputStream();
                m.write(bos);
                return bos.toByteArray();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, Map.of());
    }

    static boolean isSignature(String name) {
        String n = name.toUpperCase();
        return n.startsWith("META-INF/") && (n.endsWith(".SF") || n.endsWith(".EC") || n.endsWith(".RSA")
                || n.endsWith(".DSA"));
    }

    /** A jar with a manifest that has no Bundle-SymbolicName. */
    static Path plainJar(Path out) throws IOException {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        try (JarOutputStream jos = new JarOutputStream(Files.newOutputStream(out), m)) {
            jos.putNextEntry(new JarEntry("hello.txt"));
            jos.write("hello".getBytes(StandardCharsets.UTF_8));
            jos.closeEntry();
        }
        return out;
    }
}
