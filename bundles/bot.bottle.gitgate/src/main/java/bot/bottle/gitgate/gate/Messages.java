package bot.bottle.gitgate.gate;

import java.util.ArrayList;
import java.util.List;

import bot.bottle.gitgate.scan.PushFinding;

/** The lines the agent's {@code git push} prints as {@code remote: ...}: short, redacted, actionable. */
final class Messages {

    static final String PREFIX = "git-gate: ";
    private static final int SHOWN = 12;

    private Messages() {
    }

    static List<String> blocked(List<PushFinding> findings) {
        List<String> out = new ArrayList<>();
        out.add(PREFIX + "push refused: " + count(findings.size(), "secret") + " found; nothing was forwarded");
        describe(findings, out);
        out.add(PREFIX + "remove the secret from every commit that has it (git rebase -i / git commit --amend),");
        out.add(PREFIX + "  rotate it if it was real, then push again.");
        out.add(PREFIX + "a test fixture or false positive? add 'gitleaks:allow' to that line and push again:");
        out.add(PREFIX + "  the push then waits for an operator's approval (approve with a reason).");
        return out;
    }

    static List<String> suppressed(List<PushFinding> findings) {
        List<String> out = new ArrayList<>();
        out.add(PREFIX + count(findings.size(), "finding") + " hidden by gitleaks:allow need an operator's approval:");
        describe(findings, out);
        return out;
    }

    private static void describe(List<PushFinding> findings, List<String> out) {
        int n = 0;
        for (PushFinding f : findings) {
            if (n++ == SHOWN) {
                out.add(PREFIX + "  ... and " + (findings.size() - SHOWN) + " more");
                break;
            }
            String commit = f.commit().isEmpty() ? "" : "commit " + f.shortCommit() + " ";
            out.add(PREFIX + "  " + commit + f.location() + "  rule " + f.rule());
            if (!f.redactedLine().isEmpty() && f.where() != PushFinding.Where.PATH
                    && f.where() != PushFinding.Where.REF) {
                out.add(PREFIX + "      " + f.redactedLine());
            }
        }
    }

    static String count(int n, String what) {
        return n + " " + what + (n == 1 ? "" : "s");
    }
}
