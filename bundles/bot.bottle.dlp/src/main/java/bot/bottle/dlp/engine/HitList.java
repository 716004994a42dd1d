package bot.bottle.dlp.engine;

import java.util.Arrays;

/**
 * The hits of one automaton pass, in the order the automaton reports them (by end offset): pattern
 * index and end offset as pairs in one growable array, no object per hit. Lets several detectors share
 * one pass over a view (keywords of the pattern rules and known values in one automaton).
 */
public final class HitList implements AhoCorasick.Hit {
    private int[] buf = new int[32];
    private int size;
    private AhoCorasick source;

    @Override
    public void hit(int pattern, int end) {
        if (size + 2 > buf.length) {
            buf = Arrays.copyOf(buf, buf.length * 2);
        }
        buf[size] = pattern;
        buf[size + 1] = end;
        size += 2;
    }

    /** Number of hits. */
    public int size() {
        return size >> 1;
    }

    public int pattern(int k) {
        return buf[2 * k];
    }

    public int end(int k) {
        return buf[2 * k + 1];
    }

    public void clear() {
        size = 0;
    }

    /** The automaton whose pattern indexes these hits carry (set by whoever ran the pass), or null. */
    public AhoCorasick source() {
        return source;
    }

    public void source(AhoCorasick ac) {
        source = ac;
    }
}
