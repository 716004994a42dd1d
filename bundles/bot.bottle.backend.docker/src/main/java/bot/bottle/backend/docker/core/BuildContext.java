package bot.bottle.backend.docker.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The files of one image build, in memory, in a fixed order: the same files always give the same
 * {@link #hash}, which is the image's cache key. Bounded so a Dockerfile in a huge directory fails
 * clearly instead of streaming gigabytes to the engine.
 */
public final class BuildContext {
    static final long MAX_BYTES = 512L << 20;
    static final int MAX_FILES = 20_000;

    private final Map<String, byte[]> files = new TreeMap<>();
    private final Map<String, Integer> modes = new TreeMap<>();
    private long bytes;

    public BuildContext add(String path, byte[] content, int mode) {
        if (files.size() >= MAX_FILES || bytes + content.length > MAX_BYTES) {
            throw new IllegalStateException("image build context is too large (at most " + MAX_FILES + " files, "
                    + (MAX_BYTES >> 20) + " MB) at " + path);
        }
        files.put(path, content);
        modes.put(path, mode);
        bytes += content.length;
        return this;
    }

    public BuildContext add(String path, String content) {
        return add(path, content.getBytes(StandardCharsets.UTF_8), 0644);
    }

    public BuildContext addFile(String path, Path file) {
        try {
            return add(path, Files.readAllBytes(file), Files.isExecutable(file) ? 0755 : 0644);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Every regular file under {@code dir}, skipping {@code .git}. */
    public BuildContext addTree(Path dir) {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.filter(Files::isRegularFile)
                    .filter(p -> !dir.relativize(p).toString().startsWith(".git/"))
                    .forEach(p -> addFile(dir.relativize(p).toString().replace('\\', '/'), p));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read build context " + dir, e);
        }
        return this;
    }

    /** Visits every file in path order. */
    public void forEach(java.util.function.BiConsumer<String, byte[]> visitor) {
        files.forEach(visitor);
    }

    public boolean has(String path) {
        return files.containsKey(path);
    }

    /**
     * The cache key: SHA-256 over every path, mode and content, plus {@code extra} (the base image id,
     * the Dockerfile's name), truncated to 32 hex digits.
     */
    public String hash(String extra) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Map.Entry<String, byte[]> e : files.entrySet()) {
                md.update(e.getKey().getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
                md.update(Integer.toOctalString(modes.get(e.getKey())).getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
                md.update(MessageDigest.getInstance("SHA-256").digest(e.getValue()));
            }
            md.update(extra.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest()).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The context as an uncompressed tar, with fixed times and owners. */
    public byte[] tar() {
        Tar tar = new Tar((int) Math.min(bytes + 65536, Integer.MAX_VALUE));
        files.forEach((path, content) -> tar.file(path, content, modes.get(path)));
        return tar.finish();
    }
}
