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
    private final int[] depth;          // trie depth of each state: the length of the text it stands for
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
        depth = new int[states];
        for (int st = 0; st < states; st++) {
            for (int child : edges.get(st).values()) {
                depth[child] = depth[st] + 1; // children are numbered after their parent
            }
        }
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

    /** Shortest text scanned by the interleaved walks (see {@link #scanAscii}). */
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
        return n >= PARALLEL_MIN && n / STREAMS > maxLength;
    }

    /** Interleaved walks: eight hide the table load latency better than four (about 20 % on the bench). */
    private static final int STREAMS = 8;

    /**
     * Eight independent DFA walks over the eight equal slices of an ASCII text, interleaved in one loop:
     * a single walk is bound by the latency of its table load per char, several overlap it. Walk k > 0
     * starts its slice in the root state, so it misses only matches that begin in an earlier slice;
     * walk k-1 therefore runs on past its slice's end, reporting as the whole-text walk would, until its
     * state's depth no longer reaches back before that end (usually a few chars, at most the longest
     * pattern). From there both walks are in the same state, so walk k's hits before that point are
     * dropped and its later hits are the whole-text walk's. Hits are buffered per walk and reported in
     * text order afterwards: exactly the sequence a single walk reports.
     */
    private void scanAscii(byte[] b, int from, int to, int shift, Hit hit) {
        int q = (to - from) / STREAMS;
        final int[] t = table;
        int p0 = from;
        int p1 = p0 + q;
        int p2 = p1 + q;
        int p3 = p2 + q;
        int p4 = p3 + q;
        int p5 = p4 + q;
        int p6 = p5 + q;
        int p7 = p6 + q;
        int s0 = 0;
        int s1 = 0;
        int s2 = 0;
        int s3 = 0;
        int s4 = 0;
        int s5 = 0;
        int s6 = 0;
        int s7 = 0;
        int[][] bufs = new int[STREAMS][];
        int[] counts = new int[STREAMS];
        // rows with a hit: k then the eight table entries; written without a call so that the loop
        // stays a simple counted loop the JIT unrolls (a call in its body would prevent that)
        int[] rec = new int[9 * 32];
        int nrec = 0;
        int k = 0;
        while (k < q) {
            for (; k < q; k++) {
                int e0 = t[s0 + b[p0 + k]];
                int e1 = t[s1 + b[p1 + k]];
                int e2 = t[s2 + b[p2 + k]];
                int e3 = t[s3 + b[p3 + k]];
                int e4 = t[s4 + b[p4 + k]];
                int e5 = t[s5 + b[p5 + k]];
                int e6 = t[s6 + b[p6 + k]];
                int e7 = t[s7 + b[p7 + k]];
                s0 = e0 & Integer.MAX_VALUE;
                s1 = e1 & Integer.MAX_VALUE;
                s2 = e2 & Integer.MAX_VALUE;
                s3 = e3 & Integer.MAX_VALUE;
                s4 = e4 & Integer.MAX_VALUE;
                s5 = e5 & Integer.MAX_VALUE;
                s6 = e6 & Integer.MAX_VALUE;
                s7 = e7 & Integer.MAX_VALUE;
                if ((e0 | e1 | e2 | e3 | e4 | e5 | e6 | e7) < 0) {
                    if (nrec == rec.length) {
                        break; // full: grown below, then this row is taken again
                    }
                    rec[nrec] = k;
                    rec[nrec + 1] = e0;
                    rec[nrec + 2] = e1;
                    rec[nrec + 3] = e2;
                    rec[nrec + 4] = e3;
                    rec[nrec + 5] = e4;
                    rec[nrec + 6] = e5;
                    rec[nrec + 7] = e6;
                    rec[nrec + 8] = e7;
                    nrec += 9;
                }
            }
            if (k < q) {
                rec = java.util.Arrays.copyOf(rec, rec.length * 2);
                rec[nrec] = k;
                rec[nrec + 1] = s0 | (outputs[s0 >>> 7] != null ? Integer.MIN_VALUE : 0);
                rec[nrec + 2] = s1 | (outputs[s1 >>> 7] != null ? Integer.MIN_VALUE : 0);
                rec[nrec + 3] = s2 | (outputs[s2 >>> 7] != null ? Integer.MIN_VALUE : 0);
                rec[nrec + 4] = s3 | (outputs[s3 >>> 7] != null ? Integer.MIN_VALUE : 0);
                rec[nrec + 5] = s4 | (outputs[s4 >>> 7] != null ? Integer.MIN_VALUE : 0);
                rec[nrec + 6] = s5 | (outputs[s5 >>> 7] != null ? Integer.MIN_VALUE : 0);
                rec[nrec + 7] = s6 | (outputs[s6 >>> 7] != null ? Integer.MIN_VALUE : 0);
                rec[nrec + 8] = s7 | (outputs[s7 >>> 7] != null ? Integer.MIN_VALUE : 0);
                nrec += 9;
                k++;
            }
        }
        for (int r = 0; r < nrec; r += 9) {
            for (int w = 0; w < STREAMS; w++) {
                int e = rec[r + 1 + w];
                if (e < 0) {
                    keep(bufs, counts, w, e & Integer.MAX_VALUE, p0 + w * q + rec[r]);
                }
            }
        }
        int[] states = {s0, s1, s2, s3, s4, s5, s6, s7};
        // where each walk k > 0 joins the whole-text walk: hits of walk k ending before it are dropped
        int[] joinAt = new int[STREAMS];
        for (int w = 0; w < STREAMS - 1; w++) {
            joinAt[w + 1] = runOn(b, from + (w + 1) * q, states[w], bufs, counts, w);
        }
        // the last walk takes the remainder of the text (fewer than eight chars)
        int s = states[STREAMS - 1];
        for (int i = from + STREAMS * q; i < to; i++) {
            int e = t[s + b[i]];
            s = e & Integer.MAX_VALUE;
            if (e < 0) {
                keep(bufs, counts, STREAMS - 1, s, i);
            }
        }
        for (int w = 0; w < STREAMS; w++) {
            int[] buf = bufs[w];
            for (int j = 0; j < counts[w]; j += 2) {
                if (buf[j + 1] > joinAt[w]) {
                    hit.hit(buf[j], shift + buf[j + 1]);
                }
            }
        }
    }

    /**
     * Continues a walk past the end of its slice at {@code at} until its state's depth no longer
     * reaches back before {@code at}; returns the index where it stopped (the next walk has the same
     * state from there on).
     */
    private int runOn(byte[] b, int at, int s, int[][] bufs, int[] counts, int stream) {
        final int[] t = table;
        int i = at;
        while (depth[s >>> 7] > i - at) {
            int e = t[s + b[i]];
            s = e & Integer.MAX_VALUE;
            if (e < 0) {
                keep(bufs, counts, stream, s, i);
            }
            i++;
        }
        return i;
    }

    /** Buffers the matches ending at index i of a walk. */
    private void keep(int[][] bufs, int[] counts, int stream, int row, int i) {
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
