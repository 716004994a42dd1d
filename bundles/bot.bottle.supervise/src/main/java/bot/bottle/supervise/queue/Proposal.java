package bot.bottle.supervise.queue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A request for an operator decision, the {@code <id>.proposal.json} file (seeds' schema).
 *
 * @param id              a UUID-like id, also the file name stem
 * @param bottleSlug      the bottle it came from
 * @param tool            what kind of proposal it is
 * @param proposedFile    the full proposed file (routes.yaml, Dockerfile) or a report payload
 * @param justification   the producer's reason, as given (untrusted text)
 * @param arrival         when it was queued
 * @param currentFileHash SHA-256 hex of the file the proposal replaces, as the producer saw it
 */
public record Proposal(String id, String bottleSlug, Tool tool, String proposedFile, String justification,
        Instant arrival, String currentFileHash) {

    /** Ids are file name stems: a strict charset keeps them from naming paths. */
    public static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
    /** Slugs name directories under the state dir. */
    public static final Pattern SLUG = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    public Proposal {
        Objects.requireNonNull(tool, "tool");
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("bad proposal id " + id);
        }
        if (!SLUG.matcher(bottleSlug).matches()) {
            throw new IllegalArgumentException("bad bottle slug " + bottleSlug);
        }
        Objects.requireNonNull(proposedFile, "proposedFile");
        Objects.requireNonNull(justification, "justification");
        Objects.requireNonNull(arrival, "arrival");
        Objects.requireNonNull(currentFileHash, "currentFileHash");
    }

    /** A new proposal with a random id, arriving now. */
    public static Proposal create(String slug, Tool tool, String proposedFile, String justification,
            String currentFile) {
        return new Proposal(UUID.randomUUID().toString(), slug, tool, proposedFile, justification,
                Instant.now().truncatedTo(ChronoUnit.MICROS), sha256Hex(currentFile));
    }

    /** The file's JSON. */
    public ObjectNode toJson() {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("id", id);
        o.put("bottle_slug", bottleSlug);
        o.put("tool", tool.wireName());
        o.put("proposed_file", proposedFile);
        o.put("justification", justification);
        o.put("arrival_timestamp", arrival.toString());
        o.put("current_file_hash", currentFileHash);
        return o;
    }

    /** Parses and checks a proposal file's text; any deviation is an {@link IOException} naming the field. */
    public static Proposal parse(String text) throws IOException {
        ObjectNode o = Json.parseObject(text);
        String id = Json.str(o, "id");
        if (!ID.matcher(id).matches()) {
            throw new IOException("field 'id' is not a valid proposal id");
        }
        String slug = Json.str(o, "bottle_slug");
        if (!SLUG.matcher(slug).matches()) {
            throw new IOException("field 'bottle_slug' is not a valid slug");
        }
        String toolName = Json.str(o, "tool");
        Tool tool = Tool.byWireName(toolName)
                .orElseThrow(() -> new IOException("field 'tool' names an unknown tool"));
        Instant arrival;
        try {
            arrival = Instant.parse(normaliseTimestamp(Json.str(o, "arrival_timestamp")));
        } catch (DateTimeParseException e) {
            throw new IOException("field 'arrival_timestamp' is not an ISO-8601 time");
        }
        return new Proposal(id, slug, tool, Json.str(o, "proposed_file"), Json.str(o, "justification"), arrival,
                Json.optStr(o, "current_file_hash"));
    }

    /** Python's isoformat() writes "+00:00"; Instant.parse wants an offset it accepts, which it does. */
    private static String normaliseTimestamp(String s) {
        return s.endsWith("+00:00") ? s.substring(0, s.length() - 6) + "Z" : s;
    }

    /** SHA-256 hex of UTF-8 text. */
    public static String sha256Hex(String text) {
        try {
            return HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
