package bot.bottle.dlp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import bot.bottle.dlp.engine.Normaliser;
import bot.bottle.dlp.engine.TextView;
import org.junit.jupiter.api.Test;

class NormaliserTest {
    private final Normaliser n = new Normaliser();

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void unchangedTextIsTheSameView() {
        TextView v = TextView.identity("plain ascii text, nothing to decode");
        assertSame(v, n.canonical(v));
    }

    @Test
    void percentDecodingUnwrapsDoubleAndTripleEncodingAndMapsBack() {
        String raw = "k=%25252541%252542C";
        TextView v = n.canonical(TextView.identity(raw));
        assertEquals("k=ABC", v.text());
        int[] span = v.originalSpan(2, 5);
        assertEquals(2, span[0]);
        assertEquals(raw.length(), span[1]);
    }

    @Test
    void escapesEntitiesAndUnicodeAreCanonicalised() {
        assertEquals("ghp_", n.canonical(TextView.identity("\\u0067\\x68p\\u005f")).text());
        assertEquals("a/b\n\"c\"", n.canonical(TextView.identity("a\\/b\\n\\\"c\\\"")).text());
        assertEquals("AK", n.canonical(TextView.identity("&#65;&#x4b;")).text());
        // fullwidth (NFKC), zero-width, bidi, soft hyphen, tag chars, combining marks, Cyrillic look-alikes
        assertEquals("AKIA", n.canonical(TextView.identity("\uFF21\u200BK\u202EI\u00ADA")).text());
        assertEquals("ab", n.canonical(TextView.identity("a\uDB40\uDC41b")).text());
        assertEquals("cat", n.canonical(TextView.identity("c\u0430t")).text());
        assertEquals("A", n.canonical(TextView.identity("A\u0301")).text());
    }

    @Test
    void strippedCharactersStayInsideTheOriginalSpan() {
        String raw = "x AK\u200BIA y";
        TextView v = n.canonical(TextView.identity(raw));
        assertEquals("x AKIA y", v.text());
        int[] span = v.originalSpan(2, 6);
        assertEquals("AK\u200BIA", raw.substring(span[0], span[1]));
    }

    @Test
    void base64RunIsDecodedAndReportsTheWholeRun() {
        String secret = "token AKIAZZZZZZZZZZZZZZZZ inside";
        String raw = "{\"data\":\"" + b64(secret) + "\"}";
        List<TextView> views = n.views(raw);
        TextView decoded = views.stream().filter(v -> v.text().equals(secret)).findFirst().orElseThrow();
        int[] span = decoded.originalSpan(6, 26);
        assertEquals(b64(secret), raw.substring(span[0], span[1]).replaceAll("=+$", "")
                + raw.substring(span[0], span[1]).replaceAll("^[^=]*", ""));
        assertEquals(raw.indexOf(b64(secret)), span[0]);
    }

    @Test
    void nestedEncodingsDecodeToDepthFiveAndNoFurther() {
        String s = "SECRET-VALUE-0123456789";
        String enc = s;
        for (int k = 0; k < 5; k++) {
            enc = b64(enc);
        }
        final String five = enc;
        assertTrue(n.views(five).stream().anyMatch(v -> v.text().equals(s) && v.depth() == 5));
        String six = b64(five);
        assertTrue(n.views(six).stream().noneMatch(v -> v.text().equals(s)));
    }

    @Test
    void hexRunsAndDelimitedHexAreDecoded() {
        String s = "AKIAIOSFODNN7EXAMPLE";
        StringBuilder hex = new StringBuilder();
        StringBuilder dashed = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.US_ASCII)) {
            hex.append(String.format("%02x", b));
            dashed.append(dashed.length() == 0 ? "" : "-").append(String.format("%02x", b));
        }
        assertTrue(n.views("p=" + hex).stream().anyMatch(v -> v.text().equals(s)));
        assertTrue(n.views("p=" + dashed).stream().anyMatch(v -> v.text().equals(s)));
    }

    @Test
    void binaryDecodedDataKeepsItsPrintableRuns() {
        byte[] junk = new byte[40];
        for (int i = 0; i < junk.length; i++) {
            junk[i] = (byte) (i * 37 + 3);
        }
        byte[] secret = " ghp_0123456789abcdefghijABCDEFGHIJ012345".getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[junk.length + secret.length];
        System.arraycopy(junk, 0, all, 0, junk.length);
        System.arraycopy(secret, 0, all, junk.length, secret.length);
        String raw = Base64.getEncoder().encodeToString(all);
        assertTrue(n.views(raw).stream().anyMatch(v -> v.text().contains("ghp_0123456789abcdefghijABCDEFGHIJ012345")));
    }

    @Test
    void wrappedBase64LinesAreOneRun() {
        String s = "a secret that is long enough to wrap across two MIME lines of base64 text, yes";
        String enc = b64(s);
        String wrapped = enc.substring(0, 76) + "\r\n" + enc.substring(76);
        assertTrue(n.views(wrapped).stream().anyMatch(v -> v.text().equals(s)));
    }

    @Test
    void tooManyRunsFailClosed() {
        StringBuilder sb = new StringBuilder();
        String run = b64("0123456789abcdef0123");
        for (int i = 0; i < 25_000; i++) {
            sb.append(run).append(' ');
        }
        assertThrows(RuntimeException.class, () -> n.views(sb.toString()));
    }

    @Test
    void uuidsAreNotTrialDecodedAsBase64ButLookalikesAre() throws Exception {
        // a canonical UUID: scanned as text only
        assertEquals(1, n.views(TextView.identity("{\"id\":\"65c4ede4-d442-1e7d-92d3-2bde6f58766d\"}")).size());
        assertEquals(1, n.views(TextView.identity("id=65C4EDE4-D442-1E7D-92D3-2BDE6F58766D")).size());
        // any other base64url run is trial-decoded as before
        String text = "token=ghp_abcdefghij";
        String enc = Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
        assertTrue(n.views(TextView.identity("x " + enc + " y")).stream().anyMatch(v -> v.text().contains("ghp_abc")),
                "a base64url run that is not a UUID is still decoded");
        // why skipping UUIDs loses nothing: whatever the alignment, every third byte a UUID decodes to is
        // 'i' or above (lower case) or a control char or not ASCII (upper case): no arbitrary secret
        java.util.Random r = new java.util.Random(5);
        for (int round = 0; round < 2000; round++) {
            String u = new java.util.UUID(r.nextLong(), r.nextLong()).toString();
            for (String form : List.of(u, u.toUpperCase(java.util.Locale.ROOT))) {
                boolean lower = form.equals(u);
                for (int shift = 0; shift < 4; shift++) {
                    String part = form.substring(shift);
                    part = part.substring(0, part.length() / 4 * 4);
                    byte[] bytes = Base64.getUrlDecoder().decode(part);
                    for (int k = 0; k < bytes.length; k += 3) {
                        int b = bytes[k] & 0xff;
                        // lower case: 'i' to DEL or not ASCII; upper case: a control char or not ASCII
                        assertTrue(lower ? b >= 'i' : b < 0x20 || b >= 0x80, form + " shift " + shift + " byte " + k + ": " + b);
                    }
                }
            }
        }
    }
}
