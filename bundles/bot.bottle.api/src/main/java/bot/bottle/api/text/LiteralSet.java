package bot.bottle.api.text;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A set of literals (strings of chars up to U+00FF, searched as ISO-8859-1 bytes) found in one pass over a
 * text, whatever their number: the pass looks for the places where some literal's first two bytes occur
 * (its first byte when a literal is one byte long), then compares the literals that start that way.
 *
 * <p>The pass is vectorised with the JDK's Vector API when the JVM runs with
 * {@code --add-modules jdk.incubator.vector} (the launcher does for its servers) and the platform has
 * vectors of at least 16 bytes: 64 bytes per step with AVX-512, a few times faster than one
 * {@code String.indexOf} per literal. Otherwise a table-driven scalar loop gives the same answers.
 * {@code -Dbot.bottle.simd=false} forces the scalar loop.
 *
 * <p>Immutable and thread-safe.
 */
public final class LiteralSet {
    /** Receives each occurrence: the literal's index (in the order given) and its start offset. */
    @FunctionalInterface
    public interface Hit {
        void hit(int literal, int start);
    }

    private static final boolean VECTOR = detectVector();

    private final String[] strings;
    private final byte[][] literals;
    private final int minLength;
    /** Whether the filter is on single bytes (some literal is one byte long) rather than on pairs. */
    private final boolean singles;
    /** The distinct leading bytes (or pairs: lead[i], second[i]) and the literals starting with each. */
    private final byte[] lead;
    private final byte[] second;
    private final int[][] literalsOf;
    /** Scalar filter: bit (b0 << 8 | b1) for pairs, bit b0 for singles. */
    private final long[] bits;
    private final VectorFilter vector;

    private LiteralSet(Collection<String> values, boolean useVector) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("a literal set needs at least one literal");
        }
        strings = values.toArray(String[]::new);
        literals = new byte[strings.length][];
        int min = Integer.MAX_VALUE;
        for (int i = 0; i < strings.length; i++) {
            String s = strings[i];
            if (s.isEmpty()) {
                throw new IllegalArgumentException("empty literal at index " + i);
            }
            for (int k = 0; k < s.length(); k++) {
                if (s.charAt(k) > 0xFF) {
                    throw new IllegalArgumentException("literal " + i + " has a char above U+00FF");
                }
            }
            literals[i] = s.getBytes(StandardCharsets.ISO_8859_1);
            min = Math.min(min, s.length());
        }
        minLength = min;
        singles = min == 1;
        Map<Integer, List<Integer>> byLead = new LinkedHashMap<>();
        for (int i = 0; i < literals.length; i++) {
            byte[] l = literals[i];
            int key = singles ? l[0] & 0xFF : (l[0] & 0xFF) << 8 | (l[1] & 0xFF);
            byLead.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
        }
        lead = new byte[byLead.size()];
        second = new byte[byLead.size()];
        literalsOf = new int[byLead.size()][];
        bits = new long[singles ? 4 : 1024];
        int n = 0;
        for (Map.Entry<Integer, List<Integer>> e : byLead.entrySet()) {
            int key = e.getKey();
            lead[n] = (byte) (singles ? key : key >>> 8);
            second[n] = (byte) key;
            literalsOf[n] = e.getValue().stream().mapToInt(Integer::intValue).toArray();
            bits[key >>> 6] |= 1L << key;
            n++;
        }
        vector = useVector ? new VectorFilter(lead, singles ? null : second) : null;
    }

    /** A set of the given literals (non-empty, chars up to U+00FF); indexes in {@link Hit} follow this order. */
    public static LiteralSet of(Collection<String> literals) {
        return new LiteralSet(literals, VECTOR);
    }

    /** As {@link #of(Collection)}, choosing the filter: for tests comparing the two. */
    static LiteralSet of(Collection<String> literals, boolean vector) {
        return new LiteralSet(literals, vector);
    }

    /** Whether this JVM searches with vector instructions. */
    public static boolean vectorised() {
        return VECTOR;
    }

    public int size() {
        return strings.length;
    }

    public String literal(int index) {
        return strings[index];
    }

    /** The start of the first occurrence of any literal lying wholly in {@code b[from, to)}, or -1. */
    public int indexOf(byte[] b, int from, int to) {
        int[] found = {-1};
        scan(b, from, to, (lit, start) -> {
            found[0] = start;
            return false;
        });
        return found[0];
    }

    /** Whether any literal occurs in {@code b}. */
    public boolean containsAny(byte[] b) {
        return indexOf(b, 0, b.length) >= 0;
    }

    /**
     * Reports every occurrence in {@code b[from, to)} (overlapping ones too), by increasing start and,
     * at one start, in the literals' order.
     */
    public void forEach(byte[] b, int from, int to, Hit hit) {
        scan(b, from, to, (lit, start) -> {
            hit.hit(lit, start);
            return true;
        });
    }

    /**
     * As {@link #forEach(byte[], int, int, Hit)} on a string's chars. The filter runs over the string's
     * ISO-8859-1 bytes, where a char above U+00FF reads as '?': that can only add candidates, which are
     * then compared with the string itself (a literal's chars are all below U+0100, so wherever it occurs
     * its bytes occur too). A string with surrogate pairs (fewer bytes than chars) is searched with
     * {@code String.indexOf} per literal instead, with the same reports.
     */
    public void forEach(String s, Hit hit) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        if (b.length == s.length()) {
            scan(b, 0, b.length, s, (lit, start) -> {
                hit.hit(lit, start);
                return true;
            });
            return;
        }
        List<int[]> all = new ArrayList<>();
        for (int i = 0; i < strings.length; i++) {
            for (int at = s.indexOf(strings[i]); at >= 0; at = s.indexOf(strings[i], at + 1)) {
                all.add(new int[] {at, i});
            }
        }
        all.sort((x, y) -> x[0] != y[0] ? Integer.compare(x[0], y[0]) : Integer.compare(x[1], y[1]));
        for (int[] h : all) {
            hit.hit(h[1], h[0]);
        }
    }

    private interface Sink {
        /** @return whether to go on */
        boolean hit(int literal, int start);
    }

    private void scan(byte[] b, int from, int to, Sink sink) {
        scan(b, from, to, null, sink);
    }

    /** The search; candidates are compared with {@code text} when given, else with the bytes. */
    private void scan(byte[] b, int from, int to, String text, Sink sink) {
        if (from < 0 || to > b.length || from > to) {
            throw new IndexOutOfBoundsException("range [" + from + ", " + to + ") of " + b.length + " bytes");
        }
        int limit = to - minLength + 1; // no literal can start at or after this
        int p = from;
        while (p < limit) {
            if (vector != null) {
                int q = vector.next(b, p, limit);
                if (q < -1) {
                    q = next(b, -2 - q, limit); // the tail, shorter than a vector: the table loop
                }
                p = q;
            } else {
                p = next(b, p, limit);
            }
            if (p < 0) {
                return;
            }
            int g = group(b[p], singles ? 0 : b[p + 1]);
            for (int lit : literalsOf[g]) {
                byte[] l = literals[lit];
                boolean match = p + l.length <= to && (text != null ? text.startsWith(strings[lit], p)
                        : Arrays.equals(b, p, p + l.length, l, 0, l.length));
                if (match && !sink.hit(lit, p)) {
                    return;
                }
            }
            p++;
        }
    }

    private int group(byte b0, byte b1) {
        for (int g = 0; g < lead.length; g++) {
            if (lead[g] == b0 && (singles || second[g] == b1)) {
                return g;
            }
        }
        throw new IllegalStateException("filter hit without a literal group");
    }

    /** The scalar filter: first p in [from, limit) where a literal may start, or -1. */
    private int next(byte[] b, int from, int limit) {
        final long[] t = bits;
        if (singles) {
            for (int i = from; i < limit; i++) {
                int k = b[i] & 0xFF;
                if ((t[k >>> 6] & 1L << k) != 0) {
                    return i;
                }
            }
            return -1;
        }
        int prev = b[from] & 0xFF;
        for (int i = from; i < limit; i++) {
            int cur = b[i + 1] & 0xFF;
            int k = prev << 8 | cur;
            if ((t[k >>> 6] & 1L << k) != 0) {
                return i;
            }
            prev = cur;
        }
        return -1;
    }

    private static boolean detectVector() {
        if ("false".equals(System.getProperty("bot.bottle.simd"))) {
            return false;
        }
        try {
            return VectorFilter.usable();
        } catch (LinkageError | RuntimeException e) {
            return false; // no jdk.incubator.vector in this JVM (or not wired to this bundle)
        }
    }
}
