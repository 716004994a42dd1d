package bot.bottle.supervise.queue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;

/**
 * Crash-safe file writes: a reader sees the old file or the new one, never half of one.
 *
 * <p>Temp file in the same directory (so the rename stays on one file system), created 0600, written,
 * fsynced, renamed over the target with an atomic move, then the directory is fsynced so the rename
 * itself survives a crash.
 */
public final class AtomicFiles {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Set<PosixFilePermission> OWNER_RW = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_RWX = PosixFilePermissions.fromString("rwx------");

    private AtomicFiles() {
    }

    /** Writes UTF-8 text atomically with mode 0600. */
    public static void writeString(Path target, String text) throws IOException {
        write(target, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes bytes atomically with mode 0600. */
    public static void write(Path target, byte[] bytes) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        createPrivateDirectories(dir);
        Path tmp = dir.resolve("." + target.getFileName() + ".tmp-" + HexFormat.of().formatHex(randomBytes(6)));
        try {
            try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    ownerOnly())) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot replace " + target + " atomically", e);
            }
            fsyncDirectory(dir);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Creates {@code target} with the given content only if it does not exist yet (atomic
     * "first writer wins"): returns false when another writer got there first.
     */
    public static boolean createExclusive(Path target, String text) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        createPrivateDirectories(dir);
        try (FileChannel ch = FileChannel.open(target, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                ownerOnly())) {
            ByteBuffer buf = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        } catch (FileAlreadyExistsException e) {
            return false;
        }
        fsyncDirectory(dir);
        return true;
    }

    /** Moves a file atomically (same directory tree), then fsyncs both directories. */
    public static void move(Path from, Path to) throws IOException {
        createPrivateDirectories(to.toAbsolutePath().getParent());
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        fsyncDirectory(to.toAbsolutePath().getParent());
        fsyncDirectory(from.toAbsolutePath().getParent());
    }

    /** Reads at most {@code limit} bytes; a bigger file is refused rather than truncated. */
    public static String readLimited(Path file, int limit) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] data = in.readNBytes(limit + 1);
            if (data.length > limit) {
                throw new IOException(file.getFileName() + " is larger than " + limit + " bytes");
            }
            return new String(data, StandardCharsets.UTF_8);
        }
    }

    /** mkdir -p with 0700 for the directories it creates. */
    public static void createPrivateDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_RWX));
        } catch (UnsupportedOperationException e) {
            Files.createDirectories(dir);
        }
    }

    static void fsyncDirectory(Path dir) {
        // Linux allows fsync on a directory opened read-only; other platforms may refuse, and the
        // rename is still atomic there, so a failure here is not fatal.
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // best effort
        }
    }

    private static FileAttribute<?>[] ownerOnly() {
        return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_RW)};
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
