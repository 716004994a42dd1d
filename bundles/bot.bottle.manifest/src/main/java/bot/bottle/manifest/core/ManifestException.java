package bot.bottle.manifest.core;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A manifest (or the plan resolved from it) was refused. Carries every problem found, not only the
 * first. The message is one line: the first problem and how many more there are, so the kernel can
 * print it as the command's one-line failure; {@link #report()} lists all of them.
 */
public final class ManifestException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Exit status for a refused manifest (1 stays "unexpected failure"). */
    public static final int EXIT_STATUS = 2;

    private final transient List<Problem> problems;

    public ManifestException(List<Problem> problems) {
        super(summary(problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a ManifestException needs at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    public ManifestException(Problem problem) {
        this(List.of(problem));
    }

    public List<Problem> problems() {
        return problems;
    }

    /** Every problem, one per line. */
    public String report() {
        return problems.stream().map(Problem::toString).collect(Collectors.joining("\n"));
    }

    /** Read reflectively by the kernel. */
    public int exitStatus() {
        return EXIT_STATUS;
    }

    private static String summary(List<Problem> problems) {
        if (problems.isEmpty()) {
            return "no problems";
        }
        String first = problems.get(0).toString();
        int more = problems.size() - 1;
        return more == 0 ? first : first + " (and " + more + " more)";
    }
}
