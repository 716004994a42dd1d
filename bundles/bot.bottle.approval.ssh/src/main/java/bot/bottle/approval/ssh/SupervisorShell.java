package bot.bottle.approval.ssh;

import java.util.ArrayList;
import java.util.List;

import bot.bottle.api.approval.ApprovalInbox;
import bot.bottle.api.approval.Decision;
import bot.bottle.api.approval.PendingProposal;

/**
 * The only commands an SSH client gets: {@code list}, {@code show}, {@code approve}, {@code reject},
 * {@code help}. No Gogo, no shell, no editor: a remote operator can decide proposals and nothing else.
 * Every decision goes through the {@link ApprovalInbox}, recorded with the client key's fingerprint.
 */
final class SupervisorShell {

    static final String HELP = """
            commands:
              list                              pending proposals of every bottle
              show <id>                         details and diff
              approve <id> [--reason R]         approve (gitleaks-allow / egress-token-allow need --reason)
              reject <id> --reason R            reject
              help                              this text
            modify is not offered over SSH: use supervise:modify on the host.
            """;

    private final ApprovalInbox inbox;
    private final String approver;

    SupervisorShell(ApprovalInbox inbox, String approver) {
        this.inbox = inbox;
        this.approver = approver;
    }

    /** The result of one command line. */
    record Result(int status, String out) {
    }

    Result run(String line) {
        List<String> words;
        try {
            words = split(line);
        } catch (IllegalArgumentException e) {
            return new Result(2, e.getMessage() + "\n");
        }
        if (words.isEmpty()) {
            return new Result(0, "");
        }
        // "supervise approve ..." and "supervise:approve ..." are accepted as well as "approve ..."
        String cmd = words.remove(0);
        if (cmd.equals("supervise") && !words.isEmpty()) {
            cmd = words.remove(0);
        } else if (cmd.startsWith("supervise:")) {
            cmd = cmd.substring("supervise:".length());
        }
        String reason = "";
        List<String> args = new ArrayList<>();
        for (int i = 0; i < words.size(); i++) {
            String w = words.get(i);
            if (w.equals("--reason") && i + 1 < words.size()) {
                reason = words.get(++i);
            } else if (w.startsWith("--reason=")) {
                reason = w.substring("--reason=".length());
            } else {
                args.add(w);
            }
        }
        try {
            switch (cmd) {
                case "help":
                    return new Result(0, HELP);
                case "list":
                    return new Result(0, list());
                case "show":
                    return new Result(0, inbox.describe(one(args, "show")));
                case "approve":
                    return new Result(0, inbox.decide(new Decision(one(args, "approve"), Decision.Status.APPROVED, "",
                            reason, approver, "ssh")) + "\n");
                case "reject":
                    if (reason.isBlank()) {
                        return new Result(2, "reject needs --reason\n");
                    }
                    return new Result(0, inbox.decide(new Decision(one(args, "reject"), Decision.Status.REJECTED, "",
                            reason, approver, "ssh")) + "\n");
                case "modify":
                    return new Result(2, "modify is not offered over SSH; use supervise:modify on the host\n");
                default:
                    return new Result(2, "unknown command; try help\n");
            }
        } catch (IllegalArgumentException e) {
            return new Result(2, e.getMessage() + "\n");
        } catch (IllegalStateException e) {
            return new Result(3, e.getMessage() + "\n");
        }
    }

    private String list() {
        List<PendingProposal> pending = inbox.pending();
        if (pending.isEmpty()) {
            return "no pending proposals\n";
        }
        StringBuilder out = new StringBuilder();
        for (PendingProposal p : pending) {
            out.append(String.format("%-16s %-36s %-18s %s%n", p.bottle(), p.id(), p.tool(), p.summary()));
        }
        return out.toString();
    }

    private static String one(List<String> args, String cmd) {
        if (args.size() != 1) {
            throw new IllegalArgumentException(cmd + " needs exactly one proposal id");
        }
        return args.get(0);
    }

    /** Splits like a shell: whitespace separates, single and double quotes group, no expansion at all. */
    static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    cur.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    out.add(cur.toString());
                    cur.setLength(0);
                    inWord = false;
                }
            } else {
                cur.append(c);
                inWord = true;
            }
        }
        if (quote != 0) {
            throw new IllegalArgumentException("unterminated quote");
        }
        if (inWord) {
            out.add(cur.toString());
        }
        return out;
    }
}
