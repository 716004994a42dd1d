package bot.bottle.dlp.engine;

/**
 * A normalised (decoded) view of an original text with a map from every view char back to the span of
 * the original it came from, so that a finding in the view can be reported, and redacted, in the
 * original. Three map shapes keep the common cases cheap: identity (nothing changed), collapsed (every
 * char stands for one whole original span, e.g. a decoded base64 run) and segments: runs of view chars
 * that are either a linear copy of an original range or all stand for one original span (a decoded
 * escape). Segments cost memory per change, not per char.
 */
public final class TextView {
    private final String text;
    private final int cStart;    // collapsed span, or -1
    private final int cEnd;
    private final int[] segView; // segment start in the view (ascending), null unless segmented
    private final int[] segOrig; // original start of the segment
    private final int[] segEnd;  // -1: linear copy; else the original end every char of the segment maps to
    private final int segCount;
    private final int depth;     // decoding layers (base64/hex) between the original and this view
    private final String layer;  // a short description for diagnostics, never content
    private byte ascii;          // 0 unknown, 1 all chars < 0x80, 2 not; views are confined to one scan
    private byte[] bytes;        // the ASCII text as bytes, once asked for

    private TextView(String text, int cStart, int cEnd, int[] segView, int[] segOrig, int[] segEnd, int segCount,
                     int depth, String layer) {
        this.text = text;
        this.cStart = cStart;
        this.cEnd = cEnd;
        this.segView = segView;
        this.segOrig = segOrig;
        this.segEnd = segEnd;
        this.segCount = segCount;
        this.depth = depth;
        this.layer = layer;
    }

    public static TextView identity(String text) {
        return new TextView(text, -1, -1, null, null, null, 0, 0, "original");
    }

    static TextView collapsed(String text, int origStart, int origEnd, int depth, String layer) {
        return new TextView(text, origStart, origEnd, null, null, null, 0, depth, layer);
    }

    static TextView segmented(String text, int[] segView, int[] segOrig, int[] segEnd, int segCount, int depth,
                              String layer) {
        return new TextView(text, -1, -1, segView, segOrig, segEnd, segCount, depth, layer);
    }

    /**
     * A header value scanned with its header name in front ({@code "X-Api-Key: value"}) so that rules
     * which need the name as context see it; chars of the prefix map to the empty span at 0 (a match in
     * a header name cannot be redacted, which the caller must treat as a block).
     */
    public static TextView withContextPrefix(String prefix, String text) {
        return segmented(prefix + text, new int[] {0, prefix.length()}, new int[] {0, 0}, new int[] {0, -1}, 2, 0,
                "original");
    }

    public String text() {
        return text;
    }

    public int length() {
        return text.length();
    }

    /** Whether every char is ASCII, computed once per view (a view is used by one scan at a time). */
    boolean isAscii() {
        if (ascii == 0) {
            asciiBytes();
        }
        return ascii == 1;
    }

    /**
     * The text as bytes when every char is ASCII, else null; computed once per view. The JDK's UTF-8
     * encoder checks a compact string for non-ASCII bytes with a vectorised intrinsic and copies it, so
     * one call both answers "ASCII?" and gives the bytes the interleaved automaton walks.
     */
    byte[] asciiBytes() {
        if (ascii == 2) {
            return null;
        }
        if (bytes == null) {
            String t = text;
            int head = Math.min(t.length(), 64);
            for (int i = 0; i < head; i++) {
                if (t.charAt(i) >= 0x80) {
                    ascii = 2; // do not pay for an encoding when the start already says no
                    return null;
                }
            }
            byte[] b = t.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            if (b.length != t.length()) {
                ascii = 2;
                return null;
            }
            ascii = 1;
            bytes = b;
        }
        return bytes;
    }

    /** Records what the builder of this view already knows: it holds only ASCII chars. */
    void knownAscii() {
        ascii = 1;
    }

    /** As {@link #knownAscii()}, with the text's bytes (one per char, exactly the text's length) at hand. */
    void knownAscii(byte[] b) {
        if (b.length != text.length()) {
            throw new IllegalArgumentException("ASCII bytes do not match the text");
        }
        ascii = 1;
        bytes = b;
    }

    public int depth() {
        return depth;
    }

    public String layer() {
        return layer;
    }

    boolean isIdentity() {
        return segView == null && cStart < 0;
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

    int segCount() {
        return segCount;
    }

    int segViewStart(int k) {
        return segView[k];
    }

    int segViewEnd(int k) {
        return k + 1 < segCount ? segView[k + 1] : text.length();
    }

    int segOrig(int k) {
        return segOrig[k];
    }

    int segEnd(int k) {
        return segEnd[k];
    }

    /** The segment holding view index i. */
    int segmentOf(int i) {
        int lo = 0;
        int hi = segCount - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (segView[mid] <= i) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /** Original offset where view char {@code i} starts. */
    public int originalStart(int i) {
        if (cStart >= 0) {
            return cStart;
        }
        if (segView == null) {
            return i;
        }
        if (segCount == 0) {
            return 0;
        }
        int k = segmentOf(i);
        return segEnd[k] < 0 ? segOrig[k] + (i - segView[k]) : segOrig[k];
    }

    /** Original offset one past view char {@code i}. */
    public int originalEndOf(int i) {
        if (cStart >= 0) {
            return cEnd;
        }
        if (segView == null) {
            return i + 1;
        }
        if (segCount == 0) {
            return 0;
        }
        int k = segmentOf(i);
        return segEnd[k] < 0 ? segOrig[k] + (i - segView[k]) + 1 : segEnd[k];
    }

    /** Maps the view span [start, end) to the original span it covers: {start, end}. */
    public int[] originalSpan(int start, int end) {
        if (cStart >= 0) {
            return new int[] {cStart, cEnd};
        }
        if (text.isEmpty()) {
            return new int[] {0, 0};
        }
        int s = originalStart(Math.min(start, text.length() - 1));
        int e = end > start ? originalEndOf(Math.min(end, text.length()) - 1) : s;
        return new int[] {s, Math.max(s, e)};
    }
}
