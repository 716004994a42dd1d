package bot.bottle.supervise.text;

import java.util.ArrayList;
import java.util.List;

/**
 * A small unified line diff (LCS by dynamic programming, three lines of context), enough for the
 * routes files and Dockerfiles an operator reviews. Inputs bigger than {@link #MAX_CELLS} fall back to
 * "delete all, add all", which is still correct, just less helpful.
 */
public final class UnifiedDiff {

    static final long MAX_CELLS = 4_000_000L;
    private static final int CONTEXT = 3;

    private UnifiedDiff() {
    }

    /** The diff, or "" when the texts are equal. */
    public static String diff(String before, String after, String fromName, String toName) {
        List<String> a = lines(before);
        List<String> b = lines(after);
        if (a.equals(b)) {
            return "";
        }
        List<Op> ops = ops(a, b);
        StringBuilder out = new StringBuilder();
        out.append("--- ").append(fromName).append('\n');
        out.append("+++ ").append(toName).append('\n');
        int i = 0;
        while (i < ops.size()) {
            while (i < ops.size() && ops.get(i).kind == ' ') {
                i++;
            }
            if (i >= ops.size()) {
                break;
            }
            int start = Math.max(0, i - CONTEXT);
            int end = i;
            // extend the hunk while changes are within 2*CONTEXT lines of each other
            int lastChange = i;
            while (end < ops.size()) {
                if (ops.get(end).kind != ' ') {
                    lastChange = end;
                } else if (end - lastChange > 2 * CONTEXT) {
                    break;
                }
                end++;
            }
            end = Math.min(ops.size(), lastChange + CONTEXT + 1);
            int aStart = ops.get(start).aLine;
            int bStart = ops.get(start).bLine;
            int aCount = 0;
            int bCount = 0;
            for (int k = start; k < end; k++) {
                char kind = ops.get(k).kind;
                if (kind != '+') {
                    aCount++;
                }
                if (kind != '-') {
                    bCount++;
                }
            }
            out.append("@@ -").append(range(aStart, aCount)).append(" +").append(range(bStart, bCount))
                    .append(" @@\n");
            for (int k = start; k < end; k++) {
                out.append(ops.get(k).kind).append(ops.get(k).text).append('\n');
            }
            i = end;
        }
        return out.toString();
    }

    private static String range(int start, int count) {
        // unified format: a hunk with no lines names the line before it
        return count == 0 ? start + ",0" : (start + 1) + "," + count;
    }

    private record Op(char kind, String text, int aLine, int bLine) {
    }

    private static List<Op> ops(List<String> a, List<String> b) {
        int n = a.size();
        int m = b.size();
        List<Op> ops = new ArrayList<>();
        if ((long) (n + 1) * (m + 1) > MAX_CELLS) {
            for (int i = 0; i < n; i++) {
                ops.add(new Op('-', a.get(i), i, 0));
            }
            for (int j = 0; j < m; j++) {
                ops.add(new Op('+', b.get(j), n, j));
            }
            return ops;
        }
        int[][] lcs = new int[n + 1][m + 1];
        for (int i = n - 1; i >= 0; i--) {
            for (int j = m - 1; j >= 0; j--) {
                lcs[i][j] = a.get(i).equals(b.get(j)) ? lcs[i + 1][j + 1] + 1
                        : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        int i = 0;
        int j = 0;
        while (i < n || j < m) {
            if (i < n && j < m && a.get(i).equals(b.get(j))) {
                ops.add(new Op(' ', a.get(i), i, j));
                i++;
                j++;
            } else if (i < n && (j >= m || lcs[i + 1][j] >= lcs[i][j + 1])) {
                ops.add(new Op('-', a.get(i), i, j));
                i++;
            } else {
                ops.add(new Op('+', b.get(j), i, j));
                j++;
            }
        }
        return ops;
    }

    static List<String> lines(String s) {
        List<String> out = new ArrayList<>();
        if (s == null || s.isEmpty()) {
            return out;
        }
        int from = 0;
        while (from < s.length()) {
            int nl = s.indexOf('\n', from);
            if (nl < 0) {
                out.add(s.substring(from));
                break;
            }
            out.add(s.substring(from, nl));
            from = nl + 1;
        }
        return out;
    }
}
