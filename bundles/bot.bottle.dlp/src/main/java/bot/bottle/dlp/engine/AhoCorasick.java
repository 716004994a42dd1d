package bot.bottle.dlp.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A multi-pattern literal matcher (Aho-Corasick) compiled to a dense DFA over ASCII with sparse edges for
 * other chars: one table lookup per input char, whatever the number of patterns. Used for the keyword
 * prefilter of pattern rules and for known-secret values in all their encodings.
 *
 * <p>Written here rather than taken from org.ahocorasick:ahocorasick because that library is not an
 * OSGi bundle, walks boxed {@code Character} maps per char and builds emit objects for every hit, which
 * is an order of magnitude too slow for the proxy's per-request budget (see docs/dlp.md).
 *
 * <p>Immutable and thread-safe once built.
 */
public final class AhoCorasick {
    /** Receives each match: the pattern index and the end offset (exclusive) in the text. */
    @FunctionalInterface
    public interface Hit {
        void hit(int pattern, int end);
    }

    private static final int ASCII = 128;
    private final boolean caseInsensitive;
    private final int[] delta;          // state * 128 + c -> next state (full DFA for ASCII)
    private final int[] table;          // scan form of delta, see the constructor
    private final Map<Long, Integer> wide; // (state << 32 | char) -> trie child for non-ASCII chars
    private final int[] fail;
    private final int[][] outputs;      // pattern ids ending at each state (including via fail links)
    private final int[] lengths;
    private final int maxLength;
    private final boolean hasWide;

    public AhoCorasick(List<? extends CharSequence> patterns, boolean caseInsensitive) {
        this.caseInsensitive = caseInsensitive;
        List<Map<Character, Integer>> edges = new ArrayList<>();
        List<List<Integer>> out = new ArrayList<>();
        edges.add(new HashMap<>());
        out.add(new ArrayList<>());
        lengths = new int[patterns.size()];
        boolean anyWide = false;
        for (int p = 0; p < patterns.size(); p++) {
            CharSequence pat = patterns.get(p);
            lengths[p] = pat.length();
            if (pat.length() == 0) {
                throw new IllegalArgumentException("empty pattern " + p);
            }
            int s = 0;
            for (int k = 0; k < pat.length(); k++) {
                char c = fold(pat.charAt(k));
                if (c >= ASCII) {
                    anyWide = true;
                }
                Integer next = edges.get(s).get(c);
                if (next == null) {
                    next = edges.size();
                    edges.add(new HashMap<>());
                    out.add(new ArrayList<>());
                    edges.get(s).put(c, next);
                }
                s = next;
            }
            out.get(s).add(p);
        }
        int states = edges.size();
        hasWide = anyWide;
        int longest = 0;
        for (int len : lengths) {
            longest = Math.max(longest, len);
        }
        maxLength = longest;
        fail = new int[states];
        delta = new int[states * ASCII];
        wide = new HashMap<>();
        // Breadth-first: fail links, merged outputs and the dense ASCII transitions.
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (Map.Entry<Character, Integer> e : edges.get(0).entrySet()) {
            fail[e.getValue()] = 0;
            queue.add(e.getValue());
        }
        for (int c = 0; c < ASCII; c++) {
            Integer next = edges.get(0).get((char) c);
            delta[c] = next == null ? 0 : next;
        }
        while (!queue.isEmpty()) {
            int s = queue.poll();
            for (Map.Entry<Character, Integer> e : edges.get(s).entrySet()) {
                char c = e.getKey();
                int child = e.getValue();
                int f = fail[s];
                while (f != 0 && !edges.get(f).containsKey(c)) {
                    f = fail[f];
                }
                Integer fc = edges.get(f).get(c);
                fail[child] = fc != null && fc != child ? fc : 0;
                out.get(child).addAll(out.get(fail[child]));
                queue.add(child);
            }
            for (int c = 0; c < ASCII; c++) {
                Integer next = edges.get(s).get((char) c);
                delta[s * ASCII + c] = next != null ? next : delta[fail[s] * ASCII + c];
            }
            for (Map.Entry<Character, Integer> e : edges.get(s).entrySet()) {
                if (e.getKey() >= ASCII) {
                    wide.put(((long) s << 32) | e.getKey(), e.getValue());
                }
            }
        }
        for (Map.Entry<Character, Integer> e : edges.get(0).entrySet()) {
            if (e.getKey() >= ASCII) {
                wide.put((long) e.getKey(), e.getValue());
            }
        }
        outputs = new int[states][];
        for (int st = 0; st < states; st++) {
            List<Integer> o = out.get(st);
            if (!o.isEmpty()) {
                outputs[st] = o.stream().distinct().mapToInt(Integer::intValue).toArray();
            }
        }
        // The scan table: row offsets instead of state numbers (no multiply per char), the sign bit set
        // when the target state reports matches (one compare per char), and ASCII case folding baked in
        // (no branch per char).
        table = new int[states * ASCII];
        for (int st = 0; st < states; st++) {
            for (int c = 0; c < ASCII; c++) {
                int next = delta[st * ASCII + fold((char) c)];
                table[st * ASCII + c] = next * ASCII | (outputs[next] != null ? Integer.MIN_VALUE : 0);
            }
        }
    }

    public int patternLength(int pattern) {
        return lengths[pattern];
    }

    public int size() {
        return lengths.length;
    }

    /** Length of the longest pattern. */
    public int maxLength() {
        return maxLength;
    }

    private char fold(char c) {
        if (caseInsensitive && c >= 'A' && c <= 'Z') {
            return (char) (c + 32);
        }
        return c;
    }

    /** Reports every occurrence of every pattern (overlapping ones included). */
    public void scan(CharSequence text, Hit hit) {
        scan(text, 0, text.length(), hit);
    }

    public void scan(CharSequence text, int from, int to, Hit hit) {
        if (text instanceof String str) {
            scanString(str, from, to, hit);
            return;
        }
        int s = 0; // row offset: state * 128
        for (int i = from; i < to; i++) {
            s = step(s, text.charAt(i), i, hit);
        }
    }

    /** Shortest text scanned by four interleaved streams (see {@link #scanAscii}). */
    static final int PARALLEL_MIN = 2048;

    /**
     * As {@link #scan(CharSequence, int, int, Hit)}; {@code ascii} is the caller's knowledge that every
     * char of the text is below 0x80, which allows the interleaved scan. The hits are reported in the
     * same order either way.
     */
    public void scan(String text, int from, int to, Hit hit, boolean ascii) {
        if (ascii && parallel(to - from)) {
            scanAscii((from == 0 && to == text.length() ? text : text.substring(from, to))
                    .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), 0, to - from, from, hit);
        } else {
            scanString(text, from, to, hit);
        }
    }

    /**
     * As {@link #scan(String, int, int, Hit, boolean)} with the whole text's bytes at hand: {@code ascii}
     * is the text as ASCII bytes (one per char), or null when the text is not all ASCII.
     */
    public void scan(String text, byte[] ascii, int from, int to, Hit hit) {
        if (ascii != null && parallel(to - from)) {
            scanAscii(ascii, from, to, 0, hit);
        } else {
            scanString(text, from, to, hit);
        }
    }

    /**
     * Scans all of {@code b}, ASCII bytes (every byte below 0x80), reporting ends as indexes into
     * {@code b}: the same hits as {@link #scan(String, int, int, Hit, boolean)} on the text of the bytes.
     */
    public void scanAscii(byte[] b, Hit hit) {
        if (parallel(b.length)) {
            scanAscii(b, 0, b.length, 0, hit);
            return;
        }
        final int[] t = table;
        int s = 0;
        for (int i = 0; i < b.length; i++) {
            int e = t[s + b[i]];
            s = e & Integer.MAX_VALUE;
            if (e < 0) {
                report(s, i, hit);
            }
        }
    }

    private boolean parallel(int n) {
        return n >= PARALLEL_MIN && n / 4 > 4 * maxLength;
    }

    /**
     * Four independent DFA walks over the four quarters of an ASCII text, interleaved in one loop: a
     * single walk is bound by the latency of its table load per char, four overlap it (about 2x on the
     * build machine). Quarter k > 0 starts {@code maxLength - 1} chars early in the root state, so that
     * any match ending in its quarter is seen whole; hits are kept per quarter and reported in text
     * order afterwards, exactly the sequence a single walk reports.
     */
    private void scanAscii(byte[] b, int from, int to, int shift, Hit hit) {
        int q = (to - from) / 4;
        int warm = maxLength - 1;
        int n = to;
        // stream k reports matches whose last char is in [from + k*q, end_k); it starts reading at p_k
        int p0 = from;
        int p1 = from + q - warm;
        int p2 = from + 2 * q - warm;
        int p3 = from + 3 * q - warm;
        final int[] t = table;
        int s0 = 0;
        int s1 = 0;
        int s2 = 0;
        int s3 = 0;
        int[][] bufs = new int[4][];
        int[] counts = new int[4];
        for (int k = 0; k < q; k++) {
            int e0 = t[s0 + b[p0 + k]];
            int e1 = t[s1 + b[p1 + k]];
            int e2 = t[s2 + b[p2 + k]];
            int e3 = t[s3 + b[p3 + k]];
            s0 = e0 & Integer.MAX_VALUE;
            s1 = e1 & Integer.MAX_VALUE;
            s2 = e2 & Integer.MAX_VALUE;
            s3 = e3 & Integer.MAX_VALUE;
            if ((e0 | e1 | e2 | e3) < 0) {
                if (e0 < 0) {
                    keep(bufs, counts, 0, s0, p0 + k, from);
                }
                if (e1 < 0) {
                    keep(bufs, counts, 1, s1, p1 + k, from + q);
                }
                if (e2 < 0) {
                    keep(bufs, counts, 2, s2, p2 + k, from + 2 * q);
                }
                if (e3 < 0) {
                    keep(bufs, counts, 3, s3, p3 + k, from + 3 * q);
                }
            }
        }
        // the streams that started early have the tail of their quarter left; the last one the remainder
        finish(b, p1 + q, from + 2 * q, s1, bufs, counts, 1, from + q);
        finish(b, p2 + q, from + 3 * q, s2, bufs, counts, 2, from + 2 * q);
        finish(b, p3 + q, n, s3, bufs, counts, 3, from + 3 * q);
        for (int k = 0; k < 4; k++) {
            int[] buf = bufs[k];
            for (int j = 0; j < counts[k]; j += 2) {
                hit.hit(buf[j], shift + buf[j + 1]);
            }
        }
    }

    private int finish(byte[] b, int at, int end, int s, int[][] bufs, int[] counts, int stream, int reportFrom) {
        final int[] t = table;
        for (int i = at; i < end; i++) {
            int e = t[s + b[i]];
            s = e & Integer.MAX_VALUE;
            if (e < 0) {
                keep(bufs, counts, stream, s, i, reportFrom);
            }
        }
        return s;
    }

    /** Buffers the matches ending at index i of a stream, unless i is in the stream's warm-up. */
    private void keep(int[][] bufs, int[] counts, int stream, int row, int i, int reportFrom) {
        if (i < reportFrom) {
            return;
        }
        for (int p : outputs[row / ASCII]) {
            int[] buf = bufs[stream];
            int c = counts[stream];
            if (buf == null || c + 2 > buf.length) {
                buf = java.util.Arrays.copyOf(buf == null ? new int[0] : buf, Math.max(16, c * 2));
                bufs[stream] = buf;
            }
            buf[c] = p;
            buf[c + 1] = i + 1;
            counts[stream] = c + 2;
        }
    }

    /** The hot loop, on a String so that charAt is monomorphic and inlined. */
    private void scanString(String text, int from, int to, Hit hit) {
        final int[] t = table;
        int s = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < ASCII) {
                int e = t[s + c];
                s = e & Integer.MAX_VALUE;
                if (e < 0) {
                    report(s, i, hit);
                }
            } else {
                s = wideRow(s, c, i, hit);
            }
        }
    }

    private int step(int s, char c, int i, Hit hit) {
        if (c < ASCII) {
            int e = table[s + c];
            s = e & Integer.MAX_VALUE;
            if (e < 0) {
                report(s, i, hit);
            }
            return s;
        }
        return wideRow(s, c, i, hit);
    }

    private int wideRow(int s, char c, int i, Hit hit) {
        int next = hasWide ? wideStep(s / ASCII, c) : 0;
        if (outputs[next] != null) {
            report(next * ASCII, i, hit);
        }
        return next * ASCII;
    }

    private void report(int row, int i, Hit hit) {
        for (int p : outputs[row / ASCII]) {
            hit.hit(p, i + 1);
        }
    }

    /** Whether any pattern occurs in the text. */
    public boolean any(CharSequence text) {
        boolean[] found = {false};
        int s = 0;
        for (int i = 0, n = text.length(); i < n && !found[0]; i++) {
            s = step(s, text.charAt(i), i, (p, end) -> found[0] = true);
        }
        return found[0];
    }

    private int wideStep(int s, char c) {
        while (true) {
            Integer next = wide.get(((long) s << 32) | c);
            if (next != null) {
                return next;
            }
            if (s == 0) {
                return 0;
            }
            s = fail[s];
        }
    }
}
