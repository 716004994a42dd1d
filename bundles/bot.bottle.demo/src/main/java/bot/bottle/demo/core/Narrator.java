package bot.bottle.demo.core;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Tells the demo as it happens: a line before each guard is tried, PASS/FAIL/SKIP with the evidence
 * after, and the summary table at the end. Pure output logic, so the narration is unit-tested.
 */
public final class Narrator {

    /** How one guard came out. */
    public enum Outcome {
        PASS, FAIL, SKIP
    }

    /**
     * One guard's line in the summary.
     *
     * @param id       the step's letter (a, b, ...)
     * @param guard    what was tried
     * @param expected what a holding guard does
     * @param outcome  PASS when the guard held, FAIL when it did not (or could not be checked), SKIP
     *                 when the step could not run at all
     * @param evidence what was seen, one line
     */
    public record Result(String id, String guard, String expected, Outcome outcome, String evidence) {
    }

    private final PrintStream out;
    private final List<Result> results = new ArrayList<>();
    private String currentId;
    private String currentGuard;
    private String currentExpected;

    public Narrator(PrintStream out) {
        this.out = out;
    }

    /** A line of context, not a guard. */
    public void say(String line) {
        out.println(line);
    }

    /** Announces a step before it runs. */
    public void begin(String id, String guard, String expected, String action) {
        currentId = id;
        currentGuard = guard;
        currentExpected = expected;
        out.println();
        out.println("(" + id + ") " + guard);
        out.println("    the agent: " + action);
        out.println("    expected:  " + expected);
    }

    /** Records the running step's outcome and prints it with its evidence. */
    public Result end(Outcome outcome, String evidence) {
        if (currentId == null) {
            throw new IllegalStateException("end() without begin()");
        }
        Result r = new Result(currentId, currentGuard, currentExpected, outcome, oneLine(evidence));
        results.add(r);
        out.println("    " + outcome + "  " + r.evidence());
        currentId = null;
        return r;
    }

    /** Shorthand: PASS when {@code held}, else FAIL. */
    public Result check(boolean held, String evidence) {
        return end(held ? Outcome.PASS : Outcome.FAIL, evidence);
    }

    /** Whether a step is open (begun, not ended): a failure mid-step must still close it. */
    public boolean open() {
        return currentId != null;
    }

    public List<Result> results() {
        return List.copyOf(results);
    }

    /** True only when at least one guard ran and every one passed. */
    public boolean allHeld() {
        return !results.isEmpty() && results.stream().allMatch(r -> r.outcome() == Outcome.PASS);
    }

    /** The summary table: guard, expected, result. */
    public String summary() {
        return table(results);
    }

    static String table(List<Result> results) {
        int g = "guard".length();
        int e = "expected".length();
        for (Result r : results) {
            g = Math.max(g, r.id().length() + 3 + r.guard().length());
            e = Math.max(e, r.expected().length());
        }
        StringBuilder sb = new StringBuilder();
        sb.append(pad("guard", g)).append("  ").append(pad("expected", e)).append("  result\n");
        sb.append("-".repeat(g)).append("  ").append("-".repeat(e)).append("  ------\n");
        for (Result r : results) {
            sb.append(pad("(" + r.id() + ") " + r.guard(), g)).append("  ").append(pad(r.expected(), e)).append("  ")
                    .append(r.outcome()).append('\n');
        }
        long held = results.stream().filter(r -> r.outcome() == Outcome.PASS).count();
        sb.append(held).append(" of ").append(results.size()).append(" guards held");
        return sb.toString();
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    /** Evidence is one line: newlines and other controls become spaces, long text is clipped. */
    static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            b.append(Character.isISOControl(c) ? ' ' : c);
        }
        String t = b.toString().replaceAll(" {2,}", " ").strip();
        return t.length() > 400 ? t.substring(0, 397) + "..." : t;
    }
}
