package bot.bottle.supervise.queue;

import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Objects;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An operator's answer, the {@code <id>.response.json} file. The seeds' fields ({@code proposal_id},
 * {@code status}, {@code final_file}, {@code notes}) plus who decided, through which channel, and when;
 * readers written against the seeds ignore the extra fields.
 */
public record Response(String proposalId, Status status, String finalFile, String notes, String approver,
        String channel, Instant decidedAt) {

    /** The three outcomes, with the seeds' wire names. */
    public enum Status {
        APPROVED, MODIFIED, REJECTED;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Whether the producer may go ahead. */
        public boolean allows() {
            return this != REJECTED;
        }
    }

    public Response {
        Objects.requireNonNull(proposalId, "proposalId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(finalFile, "finalFile");
        Objects.requireNonNull(notes, "notes");
        Objects.requireNonNull(approver, "approver");
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(decidedAt, "decidedAt");
    }

    public static Response of(String proposalId, Status status, String finalFile, String notes, String approver,
            String channel) {
        return new Response(proposalId, status, finalFile, notes, approver, channel,
                Instant.now().truncatedTo(ChronoUnit.MICROS));
    }

    public ObjectNode toJson() {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("proposal_id", proposalId);
        o.put("status", status.wireName());
        o.put("final_file", finalFile);
        o.put("notes", notes);
        o.put("approver", approver);
        o.put("channel", channel);
        o.put("decided_at", decidedAt.toString());
        return o;
    }

    /**
     * Parses a response file. The caller passes the id it waits for: a response naming another
     * proposal is malformed (a mismatched pair must never approve the wrong request).
     */
    public static Response parse(String text, String expectedId) throws IOException {
        ObjectNode o = Json.parseObject(text);
        String id = Json.str(o, "proposal_id");
        if (!id.equals(expectedId)) {
            throw new IOException("field 'proposal_id' does not match the file name");
        }
        String statusName = Json.str(o, "status");
        Status status = switch (statusName) {
            case "approved" -> Status.APPROVED;
            case "modified" -> Status.MODIFIED;
            case "rejected" -> Status.REJECTED;
            default -> throw new IOException("field 'status' must be approved, modified or rejected");
        };
        String finalFile = Json.optStr(o, "final_file");
        if (status == Status.MODIFIED && finalFile.isEmpty()) {
            throw new IOException("a modified response needs a non-empty 'final_file'");
        }
        Instant decided;
        String decidedText = Json.optStr(o, "decided_at");
        try {
            decided = decidedText.isEmpty() ? Instant.EPOCH : Instant.parse(decidedText);
        } catch (RuntimeException e) {
            throw new IOException("field 'decided_at' is not an ISO-8601 time");
        }
        return new Response(id, status, finalFile, Json.optStr(o, "notes"), Json.optStr(o, "approver"),
                Json.optStr(o, "channel"), decided);
    }
}
