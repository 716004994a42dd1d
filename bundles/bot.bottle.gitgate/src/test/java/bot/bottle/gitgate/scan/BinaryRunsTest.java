package bot.bottle.gitgate.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class BinaryRunsTest {

    private static List<String> runs(byte[] data) throws Exception {
        List<String> out = new ArrayList<>();
        new BinaryRuns(r -> out.add(r.toString())).process(new ByteArrayInputStream(data), n -> { });
        return out;
    }

    @Test
    void shortRunsAreNoise() throws Exception {
        assertEquals(List.of(), runs(new byte[] {'a', 'b', 0, 'c', 1, 2}));
    }

    @Test
    void asciiAndBothUtf16ByteOrdersAtBothAlignments() throws Exception {
        for (int pad = 0; pad < 2; pad++) {
            for (var cs : List.of(StandardCharsets.UTF_16LE, StandardCharsets.UTF_16BE)) {
                byte[] t = "password=hunter22".getBytes(cs);
                byte[] d = new byte[pad + t.length + 2];
                d[0] = (byte) 0xfe;
                System.arraycopy(t, 0, d, pad, t.length);
                assertTrue(runs(d).contains("password=hunter22"), cs + " pad " + pad + ": " + runs(d));
            }
        }
        assertEquals(List.of("plain ascii run"), runs("\u0001plain ascii run\u0002".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void hugeRunsComeInOverlappingPieces() throws Exception {
        byte[] d = "x".repeat(600_000).getBytes(StandardCharsets.US_ASCII);
        List<String> r = runs(d);
        assertTrue(r.size() >= 2);
        int total = r.stream().mapToInt(String::length).sum();
        assertTrue(total >= 600_000, "nothing lost: " + total);
    }
}
