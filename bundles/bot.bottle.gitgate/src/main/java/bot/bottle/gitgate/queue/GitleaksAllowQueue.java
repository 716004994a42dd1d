package bot.bottle.gitgate.queue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import bot.bottle.gitgate.scan.PushFinding;

/**
 * Asks the bottle's operator about findings hidden by {@code gitleaks:allow}, through the supervise queue.
 *
 * <p>Same files, schema and atomicity as the {@code bot.bottle.supervise} bundle (which exports no API
 * for producers, so this is a deliberate small duplicate): {@code <id>.proposal.json} written atomically
 * (temp file, 0600, fsync, rename, directory fsync), the operator's {@code <id>.response.json}, and the
 * {@code <id>.claim} file whose exclusive creation decides who wins a race between an operator's late
 * approval and this producer's timeout. As the waiting producer, the gate archives the pair into
 * {@code processed/} after reading the response (the seeds' fix 88c4f61901: a channel that archived
 * first made the gate hang until its timeout).
 *
 * <p>Only an {@code approved} (or {@code modified}) response with a non-empty reason lets the push go on;
 * rejection, a malformed or mismatched response, an unusable queue and the timeout all refuse it.
 */
public final class GitleaksAllowQueue {

    public static final String TOOL = "gitleaks-allow";
    public static final String TIMEOUT_ENV = "SUPERVISE_GITLEAKS_ALLOW_TIMEOUT_SECONDS";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(300);
    static final int MAX_FILE_BYTES = 1 << 20;
    private static final String JUSTIFICATION = "git-gate found gitleaks findings hidden by # gitleaks:allow; "
            + "approve only for dummy test fixtures or confirmed false positives";
    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build()).build())
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;
    private final String slug;
    private final Duration timeout;
    private final Duration poll;
    private final Duration claimGrace;

    /**
     * @param dir     the bottle's queue directory ({@code <state>/supervise/queue})
     * @param slug    the bottle slug written into proposals
     * @param timeout how long a push waits for the operator
     */
    public GitleaksAllowQueue(Path dir, String slug, Duration timeout) {
        this(dir, slug, timeout, Duration.ofMillis(200), Duration.ofSeconds(30));
    }

    GitleaksAllowQueue(Path dir, String slug, Duration timeout, Duration poll, Duration claimGrace) {
        this.dir = dir.toAbsolutePath().normalize();
        this.slug = slug;
        this.timeout = timeout;
        this.poll = poll;
        this.claimGrace = claimGrace.compareTo(timeout) > 0 ? timeout : claimGrace;
    }

    public Path dir() {
        return dir;
    }

    public Duration timeout() {
        return timeout;
    }

    /** Parses {@value #TIMEOUT_ENV}: absent means the default; anything but a non-negative integer is refused. */
    public static Duration timeoutFrom(String value) {
        if (value == null || value.isBlank()) {
            return DEFAULT_TIMEOUT;
        }
        String v = value.strip();
        if (!v.matches("[0-9]{1,7}")) {
            throw new IllegalArgumentException("invalid " + TIMEOUT_ENV + "=" + v + " (whole seconds expected)");
        }
        return Duration.ofSeconds(Long.parseLong(v));
    }

    /** The decision, as the push sees it. */
    public record Outcome(boolean approved, String proposalId, String detail) {
    }

    /** The proposal payload shown to the operator: redacted findings only, never a secret. */
    public static String payload(String ref, List<PushFinding> findings) {
        StringBuilder b = new StringBuilder();
        b.append("gitleaks inline suppression requires supervisor approval\n");
        b.append("ref: ").append(ref).append("\n\n");
        int i = 1;
        for (PushFinding f : findings) {
            b.append("finding ").append(i++).append(":\n");
            b.append("  file: ").append(f.path()).append('\n');
            b.append("  line: ").append(f.line()).append('\n');
            b.append("  rule: ").append(f.rule()).append('\n');
            b.append("  commit: ").append(f.commit().isEmpty() ? "(none: " + f.where().label() + ")" : f.commit())
                    .append('\n');
            b.append("  code: ").append(f.redactedLine()).append("\n\n");
        }
        return b.toString().stripTrailing() + "\n";
    }

    /**
     * Queues one proposal and waits for the operator (bounded by the timeout).
     *
     * @param progress receives short lines for the pushing client (proposal id, how to approve)
     */
    public Outcome ask(String ref, List<PushFinding> findings, Consumer<String> progress) {
        String id = UUID.randomUUID().toString();
        String payload = payload(ref, findings);
        try {
            createPrivateDirectories(dir);
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) || !Files.isWritable(dir)) {
                return new Outcome(false, "", "the supervise queue " + dir + " is not a writable directory");
            }
            ObjectNode o = MAPPER.createObjectNode();
            o.put("id", id);
            o.put("bottle_slug", slug);
            o.put("tool", TOOL);
            o.put("proposed_file", payload);
            o.put("justification", JUSTIFICATION);
            o.put("arrival_timestamp", Instant.now().truncatedTo(ChronoUnit.MICROS).toString());
            o.put("current_file_hash", sha256Hex(payload));
            writeAtomically(dir.resolve(id + ".proposal.json"),
                    MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(o) + "\n");
        } catch (IOException | RuntimeException e) {
            return new Outcome(false, "", "cannot route the gitleaks:allow finding to the supervisor ("
                    + oneLine(e) + ")");
        }
        progress.accept("queued gitleaks:allow approval " + id + " (waiting up to " + timeout.toSeconds() + " s)");
        progress.accept("an operator approves with: bot-bottle supervise approve --reason '...' " + id);
        return await(id);
    }

    private Outcome await(String id) {
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean claimLost = false;
        while (true) {
            Path response = dir.resolve(id + ".response.json");
            if (Files.exists(response, LinkOption.NOFOLLOW_LINKS)) {
                Outcome o = read(id, response);
                archive(id);
                return o;
            }
            if (System.nanoTime() >= deadline) {
                if (!claimLost) {
                    boolean won;
                    try {
                        won = createExclusive(dir.resolve(id + ".claim"), "timeout\n");
                    } catch (IOException e) {
                        won = true; // cannot even claim: withdraw anyway, refusing is the safe side
                    }
                    if (won) {
                        archive(id);
                        return new Outcome(false, id, "supervisor approval timed out after " + timeout.toSeconds()
                                + " s; refusing push");
                    }
                    // an operator claimed it at the last moment: give the decision a short grace to land
                    claimLost = true;
                    deadline = System.nanoTime() + claimGrace.toNanos();
                    continue;
                }
                archive(id);
                return new Outcome(false, id, "the operator started deciding but no response arrived; refusing push");
            }
            try {
                Thread.sleep(poll.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                archive(id);
                return new Outcome(false, id, "the gate is shutting down; refusing push");
            }
        }
    }

    private Outcome read(String id, Path response) {
        JsonNode node;
        try {
            node = MAPPER.readTree(readLimited(response));
        } catch (IOException | RuntimeException e) {
            return new Outcome(false, id, "invalid supervisor response for gitleaks:allow; refusing push");
        }
        if (node == null || !node.isObject() || !text(node, "proposal_id").equals(id)) {
            return new Outcome(false, id, "invalid supervisor response for gitleaks:allow; refusing push");
        }
        String status = text(node, "status");
        String notes = text(node, "notes").strip();
        switch (status) {
            case "approved", "modified" -> {
                if (notes.isEmpty()) {
                    // seeds: approving a gitleaks-allow needs a recorded reason; a bare approval is malformed
                    return new Outcome(false, id, "supervisor approval without a reason; refusing push");
                }
                String who = text(node, "approver");
                return new Outcome(true, id, "supervisor approved gitleaks:allow" + (who.isEmpty() ? "" : " (" + who
                        + ")") + ": " + notes);
            }
            case "rejected" -> {
                return new Outcome(false, id, "supervisor rejected gitleaks:allow" + (notes.isEmpty() ? ""
                        : ": " + notes) + "; refusing push");
            }
            default -> {
                return new Outcome(false, id, "invalid supervisor response for gitleaks:allow; refusing push");
            }
        }
    }

    private static String text(JsonNode o, String key) {
        JsonNode n = o.get(key);
        return n != null && n.isTextual() ? n.textValue() : "";
    }

    /** Moves the pair into processed/ and drops the claim; best effort (the decision is already taken). */
    private void archive(String id) {
        Path processed = dir.resolve("processed");
        try {
            createPrivateDirectories(processed);
            for (String suffix : List.of(".proposal.json", ".response.json")) {
                Path f = dir.resolve(id + suffix);
                if (Files.exists(f, LinkOption.NOFOLLOW_LINKS)) {
                    Files.move(f, processed.resolve(f.getFileName()), StandardCopyOption.ATOMIC_MOVE,
                            StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Files.deleteIfExists(dir.resolve(id + ".claim"));
            fsyncDirectory(processed);
            fsyncDirectory(dir);
        } catch (IOException e) {
            // leaving the files in place only shows a stale entry to the operator; the push is decided
        }
    }

    private static void writeAtomically(Path target, String text) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp-"
                + HexFormat.of().formatHex(randomBytes(6)));
        try {
            try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE), ownerOnly())) {
                ByteBuffer buf = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            fsyncDirectory(target.getParent());
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static boolean createExclusive(Path target, String text) throws IOException {
        try (FileChannel ch = FileChannel.open(target, Set.of(StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE), ownerOnly())) {
            ch.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        } catch (FileAlreadyExistsException e) {
            return false;
        }
        fsyncDirectory(target.getParent());
        return true;
    }

    private static String readLimited(Path f) throws IOException {
        try (InputStream in = Files.newInputStream(f)) {
            byte[] data = in.readNBytes(MAX_FILE_BYTES + 1);
            if (data.length > MAX_FILE_BYTES) {
                throw new IOException("response too large");
            }
            return new String(data, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new IOException("response vanished", e);
        }
    }

    private static void createPrivateDirectories(Path d) throws IOException {
        if (Files.isDirectory(d)) {
            return;
        }
        try {
            Files.createDirectories(d, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException e) {
            Files.createDirectories(d);
        }
    }

    private static void fsyncDirectory(Path d) {
        try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // best effort: the rename itself is atomic
        }
    }

    private static FileAttribute<?>[] ownerOnly() {
        try {
            return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------"))};
        } catch (UnsupportedOperationException e) {
            return new FileAttribute<?>[0];
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String oneLine(Throwable e) {
        String m = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        if (m == null || m.isBlank()) {
            m = e.getClass().getSimpleName();
        }
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
