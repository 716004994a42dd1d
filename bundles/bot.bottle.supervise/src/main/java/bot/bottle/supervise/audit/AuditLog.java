package bot.bottle.supervise.audit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import bot.bottle.supervise.queue.AtomicFiles;
import bot.bottle.supervise.queue.Json;
import bot.bottle.supervise.queue.Proposal;

/**
 * A bottle's tamper-evident audit log, {@code <state>/audit/audit.jsonl}: one JSON object per line.
 *
 * <p>Each entry carries {@code seq} (0, 1, 2, ...), {@code prev} (SHA-256 hex of the previous line's
 * bytes, 64 zeros for the first), {@code key} (the signing key's fingerprint) and {@code sig}, an Ed25519
 * signature over the entry's canonical JSON without {@code sig} (keys sorted, no whitespace). A signed
 * head file {@code audit.head.json} names the last entry, so cutting entries off the end is detected too.
 * Appends hold an exclusive file lock, so the shell, the TUI and the SSH channel can write concurrently.
 */
public final class AuditLog {

    static final String GENESIS = "0".repeat(64);

    private final Path file;
    private final Path head;
    private final Path lock;

    public AuditLog(Path stateDir) {
        Path dir = stateDir.resolve("audit");
        this.file = dir.resolve("audit.jsonl");
        this.head = dir.resolve("audit.head.json");
        this.lock = dir.resolve(".audit.lock");
    }

    public Path file() {
        return file;
    }

    Path headFile() {
        return head;
    }

    /**
     * Appends one signed entry.
     *
     * @param fields the entry's content (strings only); {@code seq}, {@code ts}, {@code prev}, {@code key}
     *               and {@code sig} are added here
     */
    public synchronized void append(Map<String, String> fields, AuditKey key) throws IOException {
        AtomicFiles.createPrivateDirectories(file.getParent());
        try (FileChannel lc = FileChannel.open(lock, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                FileLock ignored = lc.lock()) {
            List<String> lines = readLines();
            long seq = lines.size();
            String prev = lines.isEmpty() ? GENESIS : sha256(lines.get(lines.size() - 1));
            TreeMap<String, Object> entry = new TreeMap<>(fields);
            entry.put("seq", seq);
            entry.put("ts", Instant.now().truncatedTo(ChronoUnit.MICROS).toString());
            entry.put("prev", prev);
            entry.put("key", key.fingerprint());
            ObjectNode node = Json.MAPPER.valueToTree(entry);
            String unsigned = canonical(node);
            node.put("sig", Base64.getEncoder().encodeToString(key.sign(unsigned.getBytes(StandardCharsets.UTF_8))));
            String line = canonical(node);
            try (FileChannel ch = FileChannel.open(file,
                    Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
                ByteBuffer buf = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            writeHead(seq, sha256(line), key);
        }
    }

    private void writeHead(long seq, String hash, AuditKey key) throws IOException {
        ObjectNode h = Json.MAPPER.createObjectNode();
        h.put("seq", seq);
        h.put("hash", hash);
        String unsigned = canonical(h);
        h.put("sig", Base64.getEncoder().encodeToString(key.sign(unsigned.getBytes(StandardCharsets.UTF_8))));
        AtomicFiles.writeString(head, canonical(h) + "\n");
    }

    /** The raw lines, without the trailing newline. */
    List<String> readLines() throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String l : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!l.isEmpty()) {
                out.add(l);
            }
        }
        return out;
    }

    /** Entries as parsed JSON, for display. Lines that do not parse are skipped (verify reports them). */
    public List<ObjectNode> entries() throws IOException {
        List<ObjectNode> out = new ArrayList<>();
        for (String l : readLines()) {
            try {
                out.add(Json.parseObject(l));
            } catch (IOException e) {
                // shown by verify
            }
        }
        return out;
    }

    /** The outcome of {@link #verify}. */
    public record Verification(boolean ok, int entries, String message) {
    }

    /** Checks every signature, the sequence, the hash chain and the head; names the first bad entry. */
    public Verification verify(AuditKey key) throws IOException {
        List<String> lines = readLines();
        List<ObjectNode> nodes = new ArrayList<>();
        List<Long> seqs = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            ObjectNode n;
            try {
                n = Json.parseObject(lines.get(i));
            } catch (IOException e) {
                return bad(lines.size(), "line " + (i + 1) + " was altered: it is not a JSON object");
            }
            nodes.add(n);
            JsonNode s = n.get("seq");
            seqs.add(s != null && s.canConvertToLong() ? s.asLong() : -1L);
        }
        for (int i = 0; i < nodes.size(); i++) {
            ObjectNode n = nodes.get(i).deepCopy();
            long seq = seqs.get(i);
            String where = "line " + (i + 1) + " (seq " + seq + ")";
            JsonNode sigNode = n.remove("sig");
            byte[] sig;
            try {
                sig = sigNode == null ? new byte[0] : Base64.getDecoder().decode(sigNode.asText());
            } catch (IllegalArgumentException e) {
                sig = new byte[0];
            }
            if (!key.verify(canonical(n).getBytes(StandardCharsets.UTF_8), sig)) {
                return bad(lines.size(), where + " was altered: its signature does not match");
            }
            if (seq != i) {
                if (seq > i) {
                    boolean later = seqs.subList(i + 1, seqs.size()).contains((long) i);
                    return bad(lines.size(), later
                            ? "entry seq " + i + " was reordered: " + where + " stands in its place"
                            : "entry seq " + i + " was removed: " + where + " follows seq " + (i - 1));
                }
                return bad(lines.size(), where + " was reordered or duplicated: expected seq " + i);
            }
            String expectedPrev = i == 0 ? GENESIS : sha256(lines.get(i - 1));
            if (!expectedPrev.equals(n.path("prev").asText())) {
                return bad(lines.size(), where + " does not chain to the entry before it (altered or reordered)");
            }
        }
        // The head names the last entry; a shorter log means entries were cut off the end.
        if (Files.exists(head)) {
            ObjectNode h;
            try {
                h = Json.parseObject(Files.readString(head, StandardCharsets.UTF_8));
            } catch (IOException e) {
                return bad(lines.size(), head.getFileName() + " was altered: not a JSON object");
            }
            ObjectNode unsigned = h.deepCopy();
            JsonNode sigNode = unsigned.remove("sig");
            byte[] sig;
            try {
                sig = sigNode == null ? new byte[0] : Base64.getDecoder().decode(sigNode.asText());
            } catch (IllegalArgumentException e) {
                sig = new byte[0];
            }
            if (!key.verify(canonical(unsigned).getBytes(StandardCharsets.UTF_8), sig)) {
                return bad(lines.size(), head.getFileName() + " was altered: its signature does not match");
            }
            long headSeq = h.path("seq").asLong(-1);
            if (headSeq >= lines.size()) {
                return bad(lines.size(), "entry seq " + lines.size() + " was removed: the head records seq "
                        + headSeq + " but the log ends at seq " + (lines.size() - 1));
            }
            if (headSeq == lines.size() - 1 && !h.path("hash").asText().equals(sha256(lines.get(lines.size() - 1)))) {
                return bad(lines.size(), "line " + lines.size() + " (seq " + headSeq
                        + ") does not match the head's hash (altered)");
            }
            // headSeq < last: an append crashed between the log and the head, which the chain covers.
        } else if (!lines.isEmpty()) {
            return bad(lines.size(), head.getFileName() + " is missing: entries may have been removed");
        }
        return new Verification(true, lines.size(), lines.size() + " entries verified");
    }

    private static Verification bad(int n, String message) {
        return new Verification(false, n, message);
    }

    /** Canonical JSON: object keys sorted at every level, no whitespace. */
    static String canonical(JsonNode node) {
        return Json.compact(sorted(node));
    }

    private static JsonNode sorted(JsonNode node) {
        if (node.isObject()) {
            TreeMap<String, JsonNode> fields = new TreeMap<>();
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                fields.put(e.getKey(), sorted(e.getValue()));
            }
            ObjectNode out = Json.MAPPER.createObjectNode();
            fields.forEach(out::set);
            return out;
        }
        if (node.isArray()) {
            var out = Json.MAPPER.createArrayNode();
            node.forEach(n -> out.add(sorted(n)));
            return out;
        }
        return node;
    }

    static String sha256(String line) {
        return Proposal.sha256Hex(line);
    }
}
