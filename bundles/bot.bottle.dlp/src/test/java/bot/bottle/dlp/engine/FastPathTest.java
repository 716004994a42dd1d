package bot.bottle.dlp.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * The fast paths of the scanner (skip loops, passes skipped when there is nothing to decode) against
 * straightforward char-by-char reference implementations, and the inputs a skip could miss.
 */
class FastPathTest {
    private static boolean b64(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/'
                || c == '-' || c == '_';
    }

    private static boolean hexDigit(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    /** The run finder before the skip loop: looks at every char. */
    static List<int[]> referenceRuns(String t) {
        List<int[]> found = new ArrayList<>();
        int len = t.length();
        int i = 0;
        while (i < len) {
            if (!b64(t.charAt(i))) {
                i++;
                continue;
            }
            int start = i;
            int segStart = i;
            boolean digitOrSym = false;
            boolean lower = false;
            boolean upper = false;
            boolean allHex = true;
            boolean wrapped = false;
            int chars = 0;
            while (i < len) {
                char d = t.charAt(i);
                if (b64(d)) {
                    digitOrSym |= !Character.isLetter(d);
                    lower |= d >= 'a' && d <= 'z';
                    upper |= d >= 'A' && d <= 'Z';
                    allHex &= hexDigit(d);
                    chars++;
                    i++;
                } else if ((d == '\n' || d == '\r') && i - segStart >= 48) {
                    int j = i;
                    while (j < len && (t.charAt(j) == '\r' || t.charAt(j) == '\n') && j - i < 2) {
                        j++;
                    }
                    if (j < len && b64(t.charAt(j))) {
                        i = j;
                        segStart = j;
                        wrapped = true;
                    } else {
                        break;
                    }
                } else {
                    break;
                }
            }
            int end = i;
            while (i < len && t.charAt(i) == '=' && i - end < 2) {
                i++;
            }
            if (chars < Normaliser.MIN_BASE64_RUN || !(digitOrSym || (lower && upper))) {
                continue;
            }
            boolean hex = allHex && chars >= Normaliser.MIN_HEX_RUN && chars % 2 == 0 && !wrapped;
            found.add(new int[] {start, end, i, hex ? 1 : 0});
        }
        return found;
    }

    private static String render(List<int[]> runs) {
        StringBuilder sb = new StringBuilder();
        for (int[] r : runs) {
            sb.append(r[0]).append('-').append(r[1]).append('-').append(r[2]).append(r[3] == 1 ? "h " : " ");
        }
        return sb.toString();
    }

    @Test
    void skipLoopFindsExactlyTheRunsOfTheCharByCharScanner() {
        Random rnd = new Random(7);
        String[] pieces = {"the ", "of ", "a", "Z", "9", "=", "==", "\n", "\r\n", "-", "_", "+", "/", " ", ".", "\u00e9",
                "QUtJQUlPU0ZPRE5ON0VYQU1QTEU", "deadbeefcafebabe0123456789abcdef", "0123456789", "abcdefghij",
                "ABCDEFGHIJ", "x".repeat(19), "Yy".repeat(30), "\"", ":",
                // past U+00FF: its low byte is 'A' / '4', so a scanner that truncated chars would see a letter
                "\u0141", "\u0134", "\u0141".repeat(20)};
        for (int round = 0; round < 3000; round++) {
            StringBuilder sb = new StringBuilder();
            int n = rnd.nextInt(60);
            for (int k = 0; k < n; k++) {
                sb.append(pieces[rnd.nextInt(pieces.length)]);
            }
            String t = sb.toString();
            assertEquals(render(referenceRuns(t)), render(Normaliser.runs(t)), "runs differ for case " + round);
        }
    }

    @Test
    void runsOfExactlyTheMinimumLengthAtEveryPositionAreFound() {
        String run = "AbCdEfGhIjKlMnOpQrSt"; // 20 chars, mixed case
        assertEquals(Normaliser.MIN_BASE64_RUN, run.length());
        for (int pad = 0; pad < 45; pad++) {
            for (String glue : new String[] {" ", "", "."}) {
                String t = "ab cd ".repeat(pad / 6) + "x".repeat(pad % 6) + glue + run + glue + "yz";
                assertEquals(render(referenceRuns(t)), render(Normaliser.runs(t)), "pad " + pad + " glue '" + glue + "'");
            }
        }
        assertEquals(1, Normaliser.runs(run).size());
        assertEquals(0, Normaliser.runs(run.substring(1)).size());
    }

    @Test
    void utf8ValidatorAgreesWithTheJdkDecoder() {
        Random rnd = new Random(11);
        for (int round = 0; round < 20_000; round++) {
            byte[] b = new byte[rnd.nextInt(8)];
            for (int k = 0; k < b.length; k++) {
                // bias towards lead and continuation bytes so multi-byte sequences are exercised
                b[k] = (byte) (rnd.nextBoolean() ? 0x80 + rnd.nextInt(0x80) : rnd.nextInt(256));
            }
            boolean jdk;
            try {
                java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                        .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                        .decode(java.nio.ByteBuffer.wrap(b));
                jdk = true;
            } catch (java.nio.charset.CharacterCodingException e) {
                jdk = false;
            }
            assertEquals(jdk, Normaliser.validUtf8(b), () -> java.util.HexFormat.of().formatHex(b));
        }
    }

    @Test
    void delimitedHexIsFoundWhereverItSits() {
        String secret = "AKIAQYLPMN5HFIQR7XYZ";
        StringBuilder hex = new StringBuilder();
        for (byte by : secret.getBytes(StandardCharsets.UTF_8)) {
            hex.append(hex.length() == 0 ? "" : ":").append(String.format("%02x", by));
        }
        Normaliser n = new Normaliser();
        for (String text : new String[] {hex.toString(), "mac " + hex + " end", "be ad " + hex.toString().replace(':', ' '),
                "{\"k\":\"" + hex.toString().replace(':', '-') + "\"}", "x," + hex.toString().replace(':', ',')}) {
            List<TextView> views = n.views(text);
            assertTrue(views.stream().anyMatch(v -> v.text().contains(secret)), "not decoded: " + text);
        }
        // 15 pairs are below the threshold
        String short15 = hex.substring(0, 15 * 3 - 1);
        assertEquals(1, n.views(short15).size());
    }

    @Test
    void aSegmentWithOnlyOneEncodedSecretIsDecoded() {
        String secret = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8";
        String b = Base64.getEncoder().encodeToString(secret.getBytes(StandardCharsets.UTF_8));
        Normaliser n = new Normaliser();
        for (String text : new String[] {b, "k=" + b, b + "\n", "{\"v\":\"" + b + "\"}"}) {
            List<TextView> views = n.views(text);
            assertTrue(views.stream().anyMatch(v -> v.text().contains(secret)), "not decoded: case " + text.length());
        }
        assertFalse(n.views("plain words only").size() > 1);
    }

    /** The JSON string finder before indexOf: char by char, a backslash skips the next char. */
    static List<int[]> referenceJsonValues(String t) {
        int i = 0;
        int len = t.length();
        while (i < len && Character.isWhitespace(t.charAt(i))) {
            i++;
        }
        if (i >= len || (t.charAt(i) != '{' && t.charAt(i) != '[')) {
            return null;
        }
        List<int[]> out = new ArrayList<>();
        while (i < len) {
            if (t.charAt(i) != '"') {
                i++;
                continue;
            }
            int start = i + 1;
            int j = start;
            while (j < len && t.charAt(j) != '"') {
                if (t.charAt(j) == '\\') {
                    j++;
                }
                j++;
            }
            int end = Math.min(j, len);
            int k = end + 1;
            while (k < len && Character.isWhitespace(t.charAt(k))) {
                k++;
            }
            if (!(k < len && t.charAt(k) == ':') && end > start) {
                out.add(new int[] {start, end});
            }
            i = end + 1;
        }
        return out;
    }

    @Test
    void jsonStringsAgreeWithTheCharByCharScanner() {
        Random rnd = new Random(7);
        String alphabet = "\"\"\\\\:: {[ab,\n";
        for (int n = 0; n < 20_000; n++) {
            StringBuilder sb = new StringBuilder(rnd.nextBoolean() ? "{" : " [");
            int len = rnd.nextInt(60);
            for (int k = 0; k < len; k++) {
                sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
            }
            String t = sb.toString();
            List<int[]> want = referenceJsonValues(t);
            List<int[]> got = JsonStrings.values(t);
            assertEquals(want.size(), got.size(), t);
            for (int k = 0; k < want.size(); k++) {
                assertEquals(want.get(k)[0], got.get(k)[0], t);
                assertEquals(want.get(k)[1], got.get(k)[1], t);
            }
        }
        assertEquals(null, JsonStrings.values("plain \"text\""));
    }

    @Test
    void earlyGivingUpBase64DecoderAgreesWithDecodeThenIsText() {
        int[] outcomes = new int[2];
        Random rnd = new Random(3);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_\n";
        for (int n = 0; n < 20_000; n++) {
            String run;
            if (rnd.nextBoolean()) {
                StringBuilder sb = new StringBuilder();
                int len = 20 + rnd.nextInt(80);
                for (int k = 0; k < len; k++) {
                    sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
                }
                run = sb.toString();
            } else { // text with a few control chars and some UTF-8 (valid or broken), encoded
                StringBuilder text = new StringBuilder();
                int len = 15 + rnd.nextInt(60);
                for (int k = 0; k < len; k++) {
                    int kind = rnd.nextInt(30);
                    text.append(kind == 0 ? (char) rnd.nextInt(32) : kind < 3 ? (char) (0xA0 + rnd.nextInt(0x3000))
                            : (char) (32 + rnd.nextInt(95)));
                }
                byte[] b = text.toString().getBytes(StandardCharsets.UTF_8);
                if (rnd.nextInt(4) == 0) {
                    b[rnd.nextInt(b.length)] = (byte) (0x80 + rnd.nextInt(128)); // may break a sequence
                }
                run = Base64.getEncoder().withoutPadding().encodeToString(b);
            }
            for (int shift = 0; shift < 4; shift++) {
                byte[] full = Normaliser.decodeBase64(run, shift);
                byte[] early = Normaliser.decodeBase64Text(run, shift);
                if (early == null) {
                    assertFalse(Normaliser.isText(full), run);
                    outcomes[0]++;
                } else {
                    outcomes[1]++;
                    assertEquals(java.util.Arrays.toString(full), java.util.Arrays.toString(early), run);
                    assertTrue(full.length == 0 || Normaliser.isText(full), run); // non-null: text, as the caller trusts
                }
            }
        }
        assertTrue(outcomes[0] > 1000 && outcomes[1] > 1000, "both outcomes exercised: " + outcomes[0] + "/" + outcomes[1]);
    }

    @Test
    void wordAtATimeBase64SkipAgreesWithTheProbingSkipLoop() {
        Random rnd = new Random(13);
        String[] pieces = {" ", "\n", "\"", ".", ",", ":", "=", "\u00e9", "\u0141", "ab", "Z9", "+/", "-_", "x".repeat(7),
                "Q".repeat(19), "R".repeat(20), "s".repeat(33), "word ", "the ", "0123456789abcdef", "41:4b:", "de-ad-",
                "be ef ", "{", "~", "G"};
        for (int round = 0; round < 5_000; round++) {
            StringBuilder sb = new StringBuilder();
            int n = rnd.nextInt(40);
            for (int k = 0; k < n; k++) {
                sb.append(pieces[rnd.nextInt(pieces.length)]);
            }
            byte[] t = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
            // every valid starting point: the start, or right after a char outside the alphabet
            for (int i = 0; i <= t.length; i++) {
                if (i > 0 && b64((char) (t[i - 1] & 0xff))) {
                    continue;
                }
                assertEquals(Normaliser.nextStretch(t, i, (byte) 1, Normaliser.MIN_BASE64_RUN),
                        Normaliser.nextBase64Stretch(t, i), "case " + round + " from " + i);
            }
            for (int i = 0; i <= t.length; i++) {
                if (i > 0 && (hexDigit((char) (t[i - 1] & 0xff)) || ":-, ".indexOf(t[i - 1]) >= 0)) {
                    continue;
                }
                assertEquals(Normaliser.nextStretch(t, i, (byte) 32, Normaliser.MIN_DELIMITED_HEX),
                        Normaliser.nextDelimitedHexStretch(t, i), "hex case " + round + " from " + i);
            }
        }
    }

    /**
     * The byte form of {@link ViewBuilder} (ASCII source, ASCII emits) against its char form: the same
     * random operations (copies, ASCII and non-ASCII emits, drops) give the same text, the same ASCII
     * knowledge and the same original span for every char and every range.
     */
    @Test
    void viewBuilderByteFormEqualsTheCharForm() {
        Random rnd = new Random(7);
        for (int round = 0; round < 3000; round++) {
            StringBuilder sb = new StringBuilder();
            int len = rnd.nextInt(200);
            for (int k = 0; k < len; k++) {
                sb.append((char) (32 + rnd.nextInt(95)));
            }
            String text = sb.toString();
            // a source that is itself a built view half the time (segments to compose)
            TextView src = TextView.identity(text);
            if (rnd.nextBoolean() && len > 4) {
                ViewBuilder pre = new ViewBuilder(src, false);
                pre.copyRange(0, len / 2);
                pre.emit('Q', len / 2, len / 2 + 2);
                pre.copyRange(len / 2 + 2, len);
                src = pre.build("pre");
            }
            TextView a = TextView.identity("");
            TextView b = a;
            for (int variant = 0; variant < 2; variant++) {
                ViewBuilder vb = new ViewBuilder(src, variant == 0);
                Random ops = new Random(round);
                int n = src.length();
                int i = 0;
                while (i < n) {
                    int op = ops.nextInt(10);
                    if (op < 5) {
                        int to = Math.min(n, i + 1 + ops.nextInt(20));
                        vb.copyRange(i, to);
                        i = to;
                    } else if (op < 8) {
                        int to = Math.min(n, i + 1 + ops.nextInt(6));
                        vb.emit((char) (33 + ops.nextInt(90)), i, to);
                        i = to;
                    } else if (op == 8) {
                        if (ops.nextInt(8) == 0) {
                            vb.emit((char) (0xe9 + ops.nextInt(3)), i, i + 1); // leaves the byte form
                        } else {
                            vb.drop();
                        }
                        i++;
                    } else {
                        vb.copy(i++);
                    }
                }
                TextView built = vb.build("test");
                if (variant == 0) {
                    a = built;
                } else {
                    b = built;
                }
            }
            assertEquals(b.text(), a.text());
            assertEquals(b.isAscii(), a.isAscii());
            if (a.isAscii()) {
                assertTrue(java.util.Arrays.equals(b.text().getBytes(StandardCharsets.US_ASCII), a.asciiBytes()));
            }
            for (int s = 0; s <= a.length(); s++) {
                for (int e = s; e <= Math.min(a.length(), s + 12); e++) {
                    assertEquals(java.util.Arrays.toString(b.originalSpan(s, e)),
                            java.util.Arrays.toString(a.originalSpan(s, e)), "round " + round + " span " + s + ".." + e);
                }
            }
        }
    }
}
