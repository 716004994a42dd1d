package bot.bottle.dlp.engine;

/**
 * Builds a new {@link TextView} from a source view, char by char, composing the offset maps. Stays
 * allocation-free while the output is still an unchanged prefix of the source, so a pass that finds
 * nothing to decode returns its source as is.
 */
final class ViewBuilder {
    private final TextView src;
    private final String srcText;
    private StringBuilder out;   // null while the output equals src[0..prefix)
    private int prefix;
    private int[] starts;
    private int[] ends;
    private int n;

    ViewBuilder(TextView src) {
        this.src = src;
        this.srcText = src.text();
    }

    /** Copies source char {@code i} unchanged. */
    void copy(int i) {
        if (out == null && i == prefix) {
            prefix++;
            return;
        }
        emit(srcText.charAt(i), i, i + 1);
    }

    /** Copies source chars [from, to) unchanged. */
    void copyRange(int from, int to) {
        if (out == null && from == prefix) {
            prefix = to;
            return;
        }
        for (int i = from; i < to; i++) {
            emit(srcText.charAt(i), i, i + 1);
        }
    }

    /** Emits {@code c}, produced from source chars [from, to). */
    void emit(char c, int from, int to) {
        materialise();
        out.append(c);
        if (starts != null) {
            ensure(n + 1);
            starts[n] = src.originalStart(from);
            ends[n] = to > from ? src.originalEndOf(to - 1) : src.originalStart(from);
        }
        n++;
    }

    void emit(CharSequence s, int from, int to) {
        for (int k = 0; k < s.length(); k++) {
            emit(s.charAt(k), from, to);
        }
    }

    /** Drops a source char from the output: a deletion (the neighbours keep their own spans). */
    void drop() {
        materialise();
    }

    private void materialise() {
        if (out != null) {
            return;
        }
        out = new StringBuilder(srcText.length());
        out.append(srcText, 0, prefix);
        if (!src.isCollapsed()) {
            starts = new int[Math.max(16, srcText.length())];
            ends = new int[starts.length];
            for (int i = 0; i < prefix; i++) {
                starts[i] = src.originalStart(i);
                ends[i] = src.originalEndOf(i);
            }
        }
        n = prefix;
    }

    private void ensure(int size) {
        if (size > starts.length) {
            int len = Math.max(size, starts.length * 2);
            starts = java.util.Arrays.copyOf(starts, len);
            ends = java.util.Arrays.copyOf(ends, len);
        }
    }

    /** Whether anything changed compared with the source. */
    boolean changed() {
        return out != null;
    }

    TextView build(String layer) {
        if (out == null) {
            if (prefix == srcText.length()) {
                return src;
            }
            // Output is a strict prefix: a truncation, which no pass does; still map it correctly.
            materialise();
        }
        String text = out.toString();
        if (src.isCollapsed()) {
            return TextView.collapsed(text, src.collapsedStart(), src.collapsedEnd(), src.depth(), layer);
        }
        return TextView.mapped(text, java.util.Arrays.copyOf(starts, n), java.util.Arrays.copyOf(ends, n), src.depth(), layer);
    }
}
