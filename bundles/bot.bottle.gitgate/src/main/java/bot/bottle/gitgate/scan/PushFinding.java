package bot.bottle.gitgate.scan;

import java.util.Objects;

import bot.bottle.api.dlp.Finding;

/**
 * One finding in pushed content: where it is and which rule matched, never the matched value.
 *
 * @param where       which kind of published text it is in
 * @param detector    the detector id
 * @param rule        the rule id
 * @param severity    the detector's confidence
 * @param commit      the commit that introduced it (full hex id), or "" when no commit introduced it (a blob
 *                    reachable only from a tag, a ref name, a push option)
 * @param path        the file path (already redacted), a tag name, or a label such as "(commit message)"
 * @param line        1-based line number in the file or object, 0 when not meaningful (binary text run)
 * @param object      the git object the text came from (hex), or ""
 * @param suppressed  whether the line carries {@code gitleaks:allow}; such a finding needs an operator
 * @param redactedLine the line with every finding replaced by a redaction marker (never the secret)
 */
public record PushFinding(Where where, String detector, String rule, Finding.Severity severity, String commit,
        String path, int line, String object, boolean suppressed, String redactedLine) {

    /** The kinds of published text the gate scans. */
    public enum Where {
        FILE("file"), BINARY("binary file"), COMMIT("commit"), TAG("annotated tag"), PATH("file name"),
        REF("ref name"), PUSH_OPTION("push option"), EXTERNAL("gitleaks");

        private final String label;

        Where(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    public PushFinding {
        Objects.requireNonNull(where, "where");
        Objects.requireNonNull(detector, "detector");
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(commit, "commit");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(object, "object");
        Objects.requireNonNull(redactedLine, "redactedLine");
    }

    /** The same finding attributed to a commit and path found after the walk. */
    public PushFinding attributed(String commitId, String filePath) {
        return new PushFinding(where, detector, rule, severity, commitId, filePath, line, object, suppressed,
                redactedLine);
    }

    /** The same finding with its texts passed through a final redaction. */
    public PushFinding redacted(Redactor r) {
        return new PushFinding(where, detector, rule, severity, commit, r.apply(path), line, object, suppressed,
                r.apply(redactedLine));
    }

    /** Short commit id for messages. */
    public String shortCommit() {
        return commit.length() > 10 ? commit.substring(0, 10) : commit;
    }

    /** "src/app.py:12" or "commit message" style location for one-line messages. */
    public String location() {
        StringBuilder b = new StringBuilder();
        switch (where) {
            case FILE -> b.append(path).append(line > 0 ? ":" + line : "");
            case BINARY -> b.append(path).append(" (binary, text run)");
            case COMMIT -> b.append(path);
            case TAG -> b.append("tag ").append(path).append(line > 0 ? " line " + line : "");
            case PATH -> b.append("file name ").append(path);
            case REF -> b.append("ref name ").append(path);
            case PUSH_OPTION -> b.append("push option");
            case EXTERNAL -> b.append(path).append(line > 0 ? ":" + line : "");
            default -> b.append(path);
        }
        return b.toString();
    }
}
