package bot.bottle.dlp.engine;

/**
 * A normalised (decoded) view of an original text with a map from every view char back to the span of
 * the original it came from, so that a finding in the view can be reported, and redacted, in the
 * original. Three map shapes keep the common cases cheap: identity (nothing changed), collapsed (every
 * char stands for one whole original span, e.g. a decoded base64 run) and per-char arrays.
 */
public final class TextView {
    private final String text;
    private final int base;      // identity: view index i is original index base + i
    private final int[] starts;  // per-char original start (null unless mapped)
    private final int[] ends;    // per-char original end, exclusive (null unless mapped)
    private final int cStart;    // collapsed span, or -1
    private final int cEnd;
    private final int depth;     // how many decoding layers (base64/hex) lie between original and view
    private final String layer;  // a short description for diagnostics, never content

    private TextView(String text, int base, int[] starts, int[] ends, int cStart, int cEnd, int depth, String layer) {
        this.text = text;
        this.base = base;
        this.starts = starts;
        this.ends = ends;
        this.cStart = cStart;
        this.cEnd = cEnd;
        this.depth = depth;
        this.layer = layer;
    }

    public static TextView identity(String text) {
        return new TextView(text, 0, null, null, -1, -1, 0, "original");
    }

    /**
     * A header value scanned with its header name in front ({@code "X-Api-Key: value"}) so that rules
     * which need the name as context see it; chars of the prefix map to the empty span at 0 (a match in
     * a header name cannot be redacted, which the caller must treat as a block).
     */
    public static TextView withContextPrefix(String prefix, String text) {
        int n = prefix.length() + text.length();
        int[] starts = new int[n];
        int[] ends = new int[n];
        for (int i = 0; i < text.length(); i++) {
            starts[prefix.length() + i] = i;
            ends[prefix.length() + i] = i + 1;
        }
        return new TextView(prefix + text, 0, starts, ends, -1, -1, 0, "original");
    }

    static TextView collapsed(String text, int origStart, int origEnd, int depth, String layer) {
        return new TextView(text, 0, null, null, origStart, origEnd, depth, layer);
    }

    static TextView mapped(String text, int[] starts, int[] ends, int depth, String layer) {
        return new TextView(text, 0, starts, ends, -1, -1, depth, layer);
    }

    public String text() {
        return text;
    }

    public int length() {
        return text.length();
    }

    public int depth() {
        return depth;
    }

    public String layer() {
        return layer;
    }

    boolean isIdentity() {
        return starts == null && cStart < 0;
    }

    boolean isCollapsed() {
        return cStart >= 0;
    }

    int collapsedStart() {
        return cStart;
    }

    int collapsedEnd() {
        return cEnd;
    }

    /** Original offset where view char {@code i} starts. */
    public int originalStart(int i) {
        if (cStart >= 0) {
            return cStart;
        }
        if (starts == null) {
            return base + i;
        }
        if (i >= starts.length) {
            return starts.length == 0 ? 0 : ends[starts.length - 1];
        }
        return starts[i];
    }

    /** Original offset one past view char {@code i}. */
    public int originalEndOf(int i) {
        if (cStart >= 0) {
            return cEnd;
        }
        if (starts == null) {
            return base + i + 1;
        }
        return ends[i];
    }

    /** Maps the view span [start, end) to the original span it covers: {start, end}. */
    public int[] originalSpan(int start, int end) {
        if (cStart >= 0) {
            return new int[] {cStart, cEnd};
        }
        int s = originalStart(start);
        int e = end > start ? originalEndOf(end - 1) : s;
        return new int[] {s, Math.max(s, e)};
    }
}
