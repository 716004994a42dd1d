package bot.bottle.dlp.engine;

import java.util.Arrays;

/**
 * Builds a new {@link TextView} from a source view, composing the offset maps as segments. Stays
 * allocation-free while the output is still an unchanged prefix of the source, so a pass that finds
 * nothing to decode returns its source as is. Passes copy unchanged ranges in bulk.
 */
final class ViewBuilder {
    private final TextView src;
    private final String srcText;
    private StringBuilder out;   // null while the output equals src[0..prefix) or while bytes hold it
    private byte[] bytes;        // the output as ASCII bytes (an ASCII source, ASCII emits so far), else null
    private int count;           // bytes used in {@code bytes}
    private byte[] srcBytes;     // the ASCII source as bytes, while the output is in {@code bytes}
    private int prefix;
    private int[] segView = new int[0];
    private int[] segOrig = new int[0];
    private int[] segEnd = new int[0];
    private int segs;
    private boolean emittedWide; // a char >= 0x80 was emitted

    private final boolean byteForm;

    ViewBuilder(TextView src) {
        this(src, true);
    }

    /** @param byteForm whether an ASCII source's output is built as bytes (false: the char form the tests compare with) */
    ViewBuilder(TextView src, boolean byteForm) {
        this.src = src;
        this.srcText = src.text();
        this.byteForm = byteForm;
    }

    /** Copies source char {@code i} unchanged. */
    void copy(int i) {
        copyRange(i, i + 1);
    }

    /** Copies source chars [from, to) unchanged. */
    void copyRange(int from, int to) {
        if (from >= to) {
            return;
        }
        if (out == null && bytes == null && from == prefix) {
            prefix = to;
            return;
        }
        materialise();
        int n = to - from;
        if (bytes != null) {
            int at = count;
            if (at + n > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(at + n, bytes.length * 2));
            }
            System.arraycopy(srcBytes, from, bytes, at, n); // JDK 17's StringBuilder copies a String range char by char
            count = at + n;
            mapRange(at, from, to);
            return;
        }
        int at = out.length();
        out.append(srcText, from, to);
        mapRange(at, from, to);
    }

    /** Emits {@code c}, produced from source chars [from, to). */
    void emit(char c, int from, int to) {
        materialise();
        int at;
        if (bytes != null && c < 0x80) {
            at = count;
            if (at == bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(16, at * 2));
            }
            bytes[count++] = (byte) c;
        } else {
            if (bytes != null) {
                toChars();
            }
            if (c >= 0x80) {
                emittedWide = true;
            }
            at = out.length();
            out.append(c);
        }
        if (!src.isCollapsed()) {
            int os = src.originalStart(from);
            int oe = to > from ? src.originalEndOf(to - 1) : os;
            addCollapsed(at, os, oe);
        }
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
        if (out != null || bytes != null) {
            return;
        }
        byte[] sb = byteForm ? src.asciiBytes() : null;
        if (sb != null) {
            bytes = new byte[srcText.length()];
            srcBytes = sb;
            System.arraycopy(sb, 0, bytes, 0, prefix);
            count = prefix;
        } else {
            out = new StringBuilder(srcText.length());
            out.append(srcText, 0, prefix);
        }
        mapRange(0, 0, prefix);
    }

    /** Leaves the byte form for the char form (a non-ASCII char is emitted). */
    private void toChars() {
        out = new StringBuilder(Math.max(srcText.length(), count + 16));
        out.append(new String(bytes, 0, count, java.nio.charset.StandardCharsets.ISO_8859_1));
        bytes = null;
        srcBytes = null;
    }

    /** Maps view chars starting at {@code at} to the originals of source chars [from, to). */
    private void mapRange(int at, int from, int to) {
        if (src.isCollapsed() || from >= to) {
            return;
        }
        if (src.isIdentity()) {
            addLinear(at, from);
            return;
        }
        int k = src.segmentOf(from);
        int pos = from;
        while (pos < to) {
            int segStop = Math.min(src.segViewEnd(k), to);
            if (src.segEnd(k) < 0) {
                addLinear(at + (pos - from), src.segOrig(k) + (pos - src.segViewStart(k)));
            } else {
                addCollapsed(at + (pos - from), src.segOrig(k), src.segEnd(k));
            }
            pos = segStop;
            k++;
        }
    }

    private void addLinear(int viewAt, int orig) {
        if (segs > 0 && segEnd[segs - 1] < 0 && segOrig[segs - 1] + (viewAt - segView[segs - 1]) == orig) {
            return; // continues the previous linear segment
        }
        add(viewAt, orig, -1);
    }

    private void addCollapsed(int viewAt, int os, int oe) {
        if (segs > 0 && segEnd[segs - 1] == oe && segOrig[segs - 1] == os && oe >= 0) {
            return;
        }
        add(viewAt, os, oe);
    }

    private void add(int viewAt, int orig, int end) {
        if (segs == segView.length) {
            int len = Math.max(8, segs * 2);
            segView = Arrays.copyOf(segView, len);
            segOrig = Arrays.copyOf(segOrig, len);
            segEnd = Arrays.copyOf(segEnd, len);
        }
        if (segs > 0 && segView[segs - 1] == viewAt) {
            segs--; // an empty previous segment: replace it
        }
        segView[segs] = viewAt;
        segOrig[segs] = orig;
        segEnd[segs] = end;
        segs++;
    }

    TextView build(String layer) {
        return build(layer, 0);
    }

    /** As {@link #build(String)}, the view {@code layers} decoding layers below its source. */
    TextView build(String layer, int layers) {
        if (out == null && bytes == null) {
            if (prefix == srcText.length()) {
                return src;
            }
            materialise();
        }
        String text = bytes != null ? new String(bytes, 0, count, java.nio.charset.StandardCharsets.ISO_8859_1)
                : out.toString();
        int depth = src.depth() + layers;
        TextView built = src.isCollapsed()
                ? TextView.collapsed(text, src.collapsedStart(), src.collapsedEnd(), depth, layer)
                : TextView.segmented(text, segView, segOrig, segEnd, segs, depth, layer);
        if (bytes != null) {
            // copies of ASCII source chars plus ASCII emits: the Unicode pass has nothing to do
            built.knownAscii(count == bytes.length ? bytes : Arrays.copyOf(bytes, count));
        } else if (!emittedWide && src.isAscii()) {
            built.knownAscii(); // copies of ASCII source chars plus ASCII emits: the Unicode pass has nothing to do
        }
        return built;
    }
}
