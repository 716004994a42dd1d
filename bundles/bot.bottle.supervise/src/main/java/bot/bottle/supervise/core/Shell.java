package bot.bottle.supervise.core;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import bot.bottle.api.approval.Decision;
import bot.bottle.supervise.audit.AuditKey;
import bot.bottle.supervise.audit.AuditLog;
import bot.bottle.supervise.queue.Json;
import bot.bottle.supervise.queue.Proposal;
import bot.bottle.supervise.text.Sanitizer;

/**
 * What the {@code supervise:*} and {@code audit:*} commands print, as plain Java so tests (and the SSH
 * channel) run exactly what the shell runs. Every method returns the text to print or throws
 * {@link CommandFailure}.
 */
public final class Shell {

    private final SuperviseCore core;
    private final String channel;
    private final String approver;

    public Shell(SuperviseCore core, String channel, String approver) {
        this.core = core;
        this.channel = channel;
        this.approver = approver;
    }

    public SuperviseCore core() {
        return core;
    }

    public String list(boolean json) {
        SuperviseCore.Listing l = core.list();
        if (json) {
            ObjectNode root = Json.MAPPER.createObjectNode();
            ArrayNode items = root.putArray("pending");
            for (SuperviseCore.Item i : l.items()) {
                ObjectNode o = items.addObject();
                o.put("id", i.proposal().id());
                o.put("bottle", i.state().slug());
                o.put("tool", i.proposal().tool().wireName());
                o.put("arrived", i.proposal().arrival().toString());
                o.put("state", i.decided() ? "decided" : "pending");
                o.put("summary", SuperviseCore.summary(i.proposal()));
            }
            ArrayNode problems = root.putArray("problems");
            for (SuperviseCore.Problem p : l.problems()) {
                problems.addObject().put("bottle", p.bottle()).put("file", Sanitizer.line(p.file()))
                        .put("reason", p.reason());
            }
            return Json.pretty(root);
        }
        StringBuilder out = new StringBuilder();
        if (l.items().isEmpty()) {
            out.append("no pending proposals\n");
        } else {
            out.append(String.format("%-16s %-36s %-18s %-6s %-8s %s%n", "BOTTLE", "ID", "TOOL", "AGE", "STATE",
                    "JUSTIFICATION"));
            Instant now = Instant.now();
            for (SuperviseCore.Item i : l.items()) {
                out.append(String.format("%-16s %-36s %-18s %-6s %-8s %s%n", i.state().slug(), i.proposal().id(),
                        i.proposal().tool().wireName(), age(Duration.between(i.proposal().arrival(), now)),
                        i.decided() ? "decided" : "pending", SuperviseCore.summary(i.proposal())));
            }
        }
        for (SuperviseCore.Problem p : l.problems()) {
            out.append("malformed: ").append(p.bottle()).append('/').append(Sanitizer.line(p.file())).append(": ")
                    .append(p.reason()).append('\n');
        }
        return out.toString();
    }

    public String show(String id) {
        try {
            return core.describe(id);
        } catch (RuntimeException e) {
            throw CommandFailure.of(e);
        }
    }

    public String approve(String id, String reason) {
        return decide(new Decision(id, Decision.Status.APPROVED, "", reason, approver, channel));
    }

    public String reject(String id, String reason) {
        if (reason == null || reason.isBlank()) {
            throw new CommandFailure(2, "supervise:reject needs --reason");
        }
        return decide(new Decision(id, Decision.Status.REJECTED, "", reason, approver, channel));
    }

    /** Opens the editor on the proposed file, validates the result, then approves it as modified. */
    public String modify(String id, String reason, Editor editor) {
        SuperviseCore.Item item;
        try {
            item = core.find(id);
        } catch (RuntimeException e) {
            throw CommandFailure.of(e);
        }
        Proposal p = item.proposal();
        if (!p.tool().modifiable()) {
            throw new CommandFailure(2, "modify is unavailable for " + p.tool().wireName()
                    + "; use supervise:approve --reason or supervise:reject");
        }
        String edited;
        try {
            edited = editor.edit(p.proposedFile(), p.tool().editorSuffix());
        } catch (IOException e) {
            throw new CommandFailure(3, "modify aborted: " + e.getMessage());
        }
        if (edited.equals(p.proposedFile())) {
            return "modify aborted (no change)\n";
        }
        if (p.tool().changesRoutes()) {
            try {
                core.applier().validateRoutes(edited);
            } catch (IllegalArgumentException e) {
                throw new CommandFailure(2, "edited " + e.getMessage() + "; nothing approved");
            }
        }
        String notes = reason == null || reason.isBlank() ? "operator modified before approving" : reason;
        return decide(new Decision(p.id(), Decision.Status.MODIFIED, edited, notes, approver, channel));
    }

    private String decide(Decision d) {
        try {
            return core.decide(d) + "\n";
        } catch (RuntimeException e) {
            throw CommandFailure.of(e);
        }
    }

    /** {@code audit:verify}: checks one bottle's log with the host's public key. */
    public static String verify(BottleState state, Path keysDir) {
        AuditLog log = state.audit();
        AuditKey key;
        try {
            key = AuditKey.loadPublic(keysDir);
        } catch (IOException e) {
            throw new CommandFailure(2, e.getMessage());
        }
        AuditLog.Verification v;
        try {
            v = log.verify(key);
        } catch (IOException e) {
            throw new CommandFailure(2, "cannot read " + log.file() + ": " + e.getMessage());
        }
        if (!v.ok()) {
            throw new CommandFailure(1, "audit log of bottle " + state.slug() + " FAILED: " + v.message());
        }
        return "audit log of bottle " + state.slug() + ": " + v.message() + " (key " + key.fingerprint() + ")\n";
    }

    public static String age(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 120) {
            return s + "s";
        }
        if (s < 7200) {
            return (s / 60) + "m";
        }
        return (s / 3600) + "h";
    }
}
