package bot.bottle.gitgate.gate;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;

import org.eclipse.jgit.transport.ReceiveCommand;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import bot.bottle.gitgate.scan.PushFinding;

/**
 * One JSON line per push in {@code <state>/gitgate/push-log.jsonl}: refs, outcome, and where each finding
 * is (rule, commit, file, line). It never holds a matched value: findings carry none, and every text in
 * them has been through the scan's redactor.
 */
final class PushLog {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final Path file;

    PushLog(Path file) {
        this.file = file;
    }

    synchronized void append(String repo, List<ReceiveCommand> cmds, String outcome, List<PushFinding> findings,
            String approvalRequest) {
        ObjectNode o = MAPPER.createObjectNode();
        o.put("time", Instant.now().toString());
        o.put("repo", repo);
        ArrayNode refs = o.putArray("refs");
        for (ReceiveCommand c : cmds) {
            ObjectNode r = refs.addObject();
            r.put("ref", c.getRefName());
            r.put("old", c.getOldId().name());
            r.put("new", c.getNewId().name());
        }
        o.put("outcome", outcome);
        ArrayNode fs = o.putArray("findings");
        for (PushFinding f : findings) {
            ObjectNode n = fs.addObject();
            n.put("where", f.where().label());
            n.put("rule", f.rule());
            n.put("detector", f.detector());
            n.put("commit", f.commit());
            n.put("path", f.path());
            n.put("line", f.line());
            n.put("suppressed", f.suppressed());
        }
        if (!approvalRequest.isEmpty()) {
            // the gate's tag for its gitleaks-allow request; it is also in the proposal's payload
            o.put("approval_request", approvalRequest);
        }
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, MAPPER.writeValueAsString(o) + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            // the push log is diagnostics; the decision stands without it
        }
    }
}
