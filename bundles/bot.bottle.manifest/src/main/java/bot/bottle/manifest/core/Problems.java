package bot.bottle.manifest.core;

import java.util.ArrayList;
import java.util.List;

/** Collects problems while a file or a plan is checked, so all of them are reported at once. */
final class Problems {
    private final List<Problem> list = new ArrayList<>();

    void add(Problem p) {
        list.add(p);
    }

    void add(Loc loc, String message) {
        list.add(loc.problem(message));
    }

    void addAll(List<Problem> ps) {
        list.addAll(ps);
    }

    boolean isEmpty() {
        return list.isEmpty();
    }

    List<Problem> list() {
        return List.copyOf(list);
    }

    /** Throws when anything was collected. */
    void throwIfAny() {
        if (!list.isEmpty()) {
            throw new ManifestException(sorted());
        }
    }

    /** Grouped by file (in order of first appearance), then by line; stable otherwise. */
    List<Problem> sorted() {
        List<String> files = new ArrayList<>();
        for (Problem p : list) {
            if (!files.contains(p.file())) {
                files.add(p.file());
            }
        }
        List<Problem> out = new ArrayList<>(list);
        out.sort(java.util.Comparator.comparingInt((Problem p) -> files.indexOf(p.file()))
                .thenComparingInt(Problem::line));
        return out;
    }
}
