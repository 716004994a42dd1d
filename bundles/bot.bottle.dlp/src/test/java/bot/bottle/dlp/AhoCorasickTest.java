package bot.bottle.dlp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import bot.bottle.dlp.engine.AhoCorasick;
import org.junit.jupiter.api.Test;

class AhoCorasickTest {
    private static List<String> hits(AhoCorasick ac, String text, List<String> pats) {
        List<String> out = new ArrayList<>();
        ac.scan(text, (p, end) -> out.add(pats.get(p) + "@" + (end - pats.get(p).length())));
        return out;
    }

    @Test
    void findsOverlappingAndNestedPatterns() {
        List<String> pats = List.of("he", "she", "his", "hers");
        AhoCorasick ac = new AhoCorasick(pats, false);
        assertEquals(List.of("she@1", "he@2", "hers@2"), hits(ac, "ushers", pats));
    }

    @Test
    void caseInsensitiveFoldsAsciiOnly() {
        List<String> pats = List.of("ghp_", "straße");
        AhoCorasick ac = new AhoCorasick(pats, true);
        assertEquals(List.of("ghp_@2", "straße@9"), hits(ac, "x GHP_ y STRAße", pats));
        assertFalse(new AhoCorasick(List.of("abc"), false).any("ABC"));
    }

    @Test
    void agreesWithNaiveSearchOnRandomInput() {
        Random r = new Random(7);
        for (int round = 0; round < 50; round++) {
            List<String> pats = new ArrayList<>();
            for (int k = 0; k < 8; k++) {
                StringBuilder p = new StringBuilder();
                for (int c = 0; c < 1 + r.nextInt(4); c++) {
                    p.append((char) ('a' + r.nextInt(3)));
                }
                pats.add(p.toString());
            }
            StringBuilder t = new StringBuilder();
            for (int c = 0; c < 200; c++) {
                t.append((char) ('a' + r.nextInt(3)));
            }
            String text = t.toString();
            int expected = 0;
            for (String p : pats) {
                for (int i = text.indexOf(p); i >= 0; i = text.indexOf(p, i + 1)) {
                    expected++;
                }
            }
            int[] count = {0};
            new AhoCorasick(pats, false).scan(text, (p, end) -> {
                assertTrue(text.startsWith(pats.get(p), end - pats.get(p).length()));
                count[0]++;
            });
            assertEquals(expected, count[0], "round " + round);
        }
    }

    @Test
    void interleavedAsciiScanReportsExactlyTheSingleWalksHitsInOrder() {
        Random r = new Random(11);
        for (int round = 0; round < 200; round++) {
            List<String> pats = new ArrayList<>();
            int maxLen = 1 + r.nextInt(round % 3 == 0 ? 40 : 6);
            for (int k = 0; k < 1 + r.nextInt(12); k++) {
                StringBuilder p = new StringBuilder();
                int len = 1 + r.nextInt(maxLen);
                for (int c = 0; c < len; c++) {
                    p.append((char) ('a' + r.nextInt(3)));
                }
                pats.add(p.toString());
            }
            StringBuilder t = new StringBuilder();
            int n = 2000 + r.nextInt(6000);
            for (int c = 0; c < n; c++) {
                // mostly the pattern alphabet, some other ASCII and upper case (folded when insensitive)
                int k = r.nextInt(10);
                t.append(k < 7 ? (char) ('a' + r.nextInt(3)) : k < 9 ? (char) ('A' + r.nextInt(3)) : (char) (' ' + r.nextInt(90)));
            }
            String text = t.toString();
            AhoCorasick ac = new AhoCorasick(pats, round % 2 == 0);
            int from = r.nextInt(50);
            int to = text.length() - r.nextInt(50);
            List<Long> single = new ArrayList<>();
            ac.scan(text, from, to, (p, end) -> single.add((long) end << 20 | p));
            List<Long> interleaved = new ArrayList<>();
            ac.scan(text, from, to, (p, end) -> interleaved.add((long) end << 20 | p), true);
            assertEquals(single, interleaved, "round " + round);
            List<Long> withBytes = new ArrayList<>();
            ac.scan(text, text.getBytes(java.nio.charset.StandardCharsets.US_ASCII), from, to,
                    (p, end) -> withBytes.add((long) end << 20 | p));
            assertEquals(single, withBytes, "round " + round + " (bytes)");
            // the whole-array byte scan, short (one walk) and long (interleaved)
            String part = text.substring(0, round % 2 == 0 ? r.nextInt(300) : text.length());
            List<Long> whole = new ArrayList<>();
            ac.scan(part, 0, part.length(), (p, end) -> whole.add((long) end << 20 | p));
            List<Long> wholeBytes = new ArrayList<>();
            ac.scanAscii(part.getBytes(java.nio.charset.StandardCharsets.US_ASCII), (p, end) -> wholeBytes.add((long) end << 20 | p));
            assertEquals(whole, wholeBytes, "round " + round + " (whole array)");
        }
    }
}
