package bot.bottle.gitgate.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class SegmenterTest {

    @Test
    void ownedPartsTileTheTextAndLinesCarryOver() throws Exception {
        StringBuilder t = new StringBuilder();
        for (int i = 1; i <= 500; i++) {
            t.append("line").append(i).append('\n');
        }
        List<String> owned = new ArrayList<>();
        List<Integer> starts = new ArrayList<>();
        Segmenter s = new Segmenter(100, 20, (text, own, line) -> {
            owned.add(text.substring(0, own));
            starts.add(line);
        });
        for (int i = 0; i < t.length(); i += 37) {
            s.append(t.subSequence(i, Math.min(t.length(), i + 37)));
        }
        s.finish();
        assertEquals(t.toString(), String.join("", owned));
        // each segment's base line is 1 + the newlines before it
        int consumed = 0;
        for (int k = 0; k < owned.size(); k++) {
            assertEquals(1 + Segmenter.countNewlines(t, 0, consumed), starts.get(k));
            consumed += owned.get(k).length();
        }
    }
}
