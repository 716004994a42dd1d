package bot.bottle.egress.proxy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** Body text for scanning: UTF-8 when valid (fast path included), else byte per char. */
class BodyCodecTest {
    static void roundTrip(byte[] b) {
        BodyCodec.Text t = BodyCodec.text(b);
        assertArrayEquals(b, t.encode(t.text()), "spans map back to the same bytes");
    }

    @Test
    void validUtf8IsDecodedAsUtf8() {
        for (String s : new String[] {"", "plain ascii token=ghp_x", "caf\u00e9 \u2603 \ud83d\ude00", "real \ufffd kept"}) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            BodyCodec.Text t = BodyCodec.text(b);
            assertEquals(s, t.text());
            assertEquals(StandardCharsets.UTF_8, t.charset());
            roundTrip(b);
        }
    }

    @Test
    void malformedUtf8FallsBackToOneCharPerByte() {
        byte[][] bad = {{'a', (byte) 0xff, 'b'}, {(byte) 0xc3}, {'x', (byte) 0xe2, (byte) 0x82}, {(byte) 0xed, (byte) 0xa0,
                (byte) 0x80}, {(byte) 0xef, (byte) 0xbf, (byte) 0xbd, (byte) 0x80}};
        for (byte[] b : bad) {
            BodyCodec.Text t = BodyCodec.text(b);
            assertEquals(StandardCharsets.ISO_8859_1, t.charset());
            assertEquals(b.length, t.text().length());
            roundTrip(b);
        }
    }
}
