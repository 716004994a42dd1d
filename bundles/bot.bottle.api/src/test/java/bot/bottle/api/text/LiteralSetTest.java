package bot.bottle.api.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class LiteralSetTest {
    /** Every occurrence by brute force, in the order LiteralSet reports them. */
    private static List<String> naive(List<String> lits, byte[] b, int from, int to) {
        List<String> out = new ArrayList<>();
        for (int p = from; p < to; p++) {
            for (int i = 0; i < lits.size(); i++) {
                byte[] l = lits.get(i).getBytes(StandardCharsets.ISO_8859_1);
                if (p + l.length <= to && java.util.Arrays.equals(b, p, p + l.length, l, 0, l.length)) {
                    out.add(i + "@" + p);
                }
            }
        }
        return out;
    }

    private static List<String> found(LiteralSet set, byte[] b, int from, int to) {
        List<String> out = new ArrayList<>();
        set.forEach(b, from, to, (lit, start) -> out.add(lit + "@" + start));
        return out;
    }

    @Test
    void theTestJvmSearchesWithVectors() {
        // surefire runs with --add-modules jdk.incubator.vector: the vector filter must be the one tested below
        assertTrue(LiteralSet.vectorised(), "the vector filter did not load in the test JVM");
    }

    @Test
    void vectorAndScalarFiltersAgreeWithBruteForceOnRandomTexts() {
        Random r = new Random(42);
        String alphabet = "ab-_gxoA\u00e9\u00ff";
        for (int round = 0; round < 400; round++) {
            List<String> lits = new ArrayList<>();
            int n = 1 + r.nextInt(12);
            for (int i = 0; i < n; i++) {
                StringBuilder l = new StringBuilder();
                int len = 1 + r.nextInt(round % 3 == 0 ? 2 : 6) + (round % 2 == 0 ? 1 : 0);
                for (int k = 0; k < len; k++) {
                    l.append(alphabet.charAt(r.nextInt(alphabet.length())));
                }
                lits.add(l.toString());
            }
            byte[] b = new byte[r.nextInt(700)];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) alphabet.charAt(r.nextInt(alphabet.length()));
            }
            int from = b.length == 0 ? 0 : r.nextInt(b.length);
            int to = from + (b.length == from ? 0 : r.nextInt(b.length - from + 1));
            List<String> want = naive(lits, b, from, to);
            assertEquals(want, found(LiteralSet.of(lits, true), b, from, to), "vector, round " + round + " " + lits);
            assertEquals(want, found(LiteralSet.of(lits, false), b, from, to), "scalar, round " + round + " " + lits);
            int first = want.isEmpty() ? -1 : Integer.parseInt(want.get(0).substring(want.get(0).indexOf('@') + 1));
            assertEquals(first, LiteralSet.of(lits, true).indexOf(b, from, to));
            assertEquals(first, LiteralSet.of(lits, false).indexOf(b, from, to));
        }
    }

    @Test
    void findsTokensAtEveryOffsetOfALargeText() {
        List<String> lits = List.of("ghp_", "github_pat_", "AKIA", "xox", "-----BEGIN", "sk-");
        for (boolean vector : new boolean[] {true, false}) {
            LiteralSet set = LiteralSet.of(lits, vector);
            for (int at : new int[] {0, 1, 31, 32, 63, 64, 65, 127, 4095, 9990}) {
                byte[] b = new byte[10_000];
                java.util.Arrays.fill(b, (byte) 'x');
                byte[] tok = "-----BEGIN".getBytes(StandardCharsets.ISO_8859_1);
                System.arraycopy(tok, 0, b, at, tok.length);
                List<String> hits = found(set, b, 0, b.length);
                assertEquals(List.of("4@" + at), hits, "vector=" + vector + " at " + at);
            }
            byte[] clean = new byte[100_000];
            java.util.Arrays.fill(clean, (byte) 'x');
            assertFalse(set.containsAny(clean));
            clean[clean.length - 3] = 'A'; // "AKIA" cut by the end of the text: no match
            clean[clean.length - 2] = 'K';
            clean[clean.length - 1] = 'I';
            assertFalse(set.containsAny(clean));
        }
    }

    @Test
    void stringsWithWideCharsGiveTheSameReports() {
        LiteralSet set = LiteralSet.of(List.of("ab", "b?", "?"));
        for (String s : List.of("xab?b", "\u20acab?\u20acb?", "a\ud83d\ude00b?ab", "??ab")) {
            List<String> want = new ArrayList<>();
            for (int p = 0; p < s.length(); p++) {
                for (int i = 0; i < set.size(); i++) {
                    if (s.startsWith(set.literal(i), p)) {
                        want.add(i + "@" + p);
                    }
                }
            }
            List<String> got = new ArrayList<>();
            set.forEach(s, (lit, start) -> got.add(lit + "@" + start));
            assertEquals(want, got, s);
        }
    }

    @Test
    void badLiteralsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> LiteralSet.of(List.of()));
        assertThrows(IllegalArgumentException.class, () -> LiteralSet.of(List.of("ok", "")));
        assertThrows(IllegalArgumentException.class, () -> LiteralSet.of(List.of("\u20ac")));
        assertThrows(IndexOutOfBoundsException.class, () -> LiteralSet.of(List.of("a")).indexOf(new byte[3], 2, 4));
    }
}
