package bot.bottle.gitgate.scan;

/**
 * Cuts a stream of text into overlapping segments for the DLP engine.
 *
 * <p>Each segment but the last "owns" its text up to {@code length - overlap}; the next segment starts
 * where the owned part ends. A match no longer than the overlap is therefore seen whole in the segment
 * where it starts, and a finding that starts past the owned part is left to the next segment (so nothing
 * is reported twice). Line numbers are carried across segments.
 */
final class Segmenter {

    /** Receives segments. */
    interface Sink {
        /**
         * @param text     the segment
         * @param ownEnd   findings starting at or after this offset belong to the next segment
         * @param baseLine the 1-based line number of the segment's first character
         */
        void segment(String text, int ownEnd, int baseLine) throws ScanFailure;
    }

    private final int size;
    private final int overlap;
    private final Sink sink;
    private final StringBuilder buf = new StringBuilder();
    private int baseLine = 1;

    Segmenter(int size, int overlap, Sink sink) {
        this.size = size;
        this.overlap = overlap;
        this.sink = sink;
    }

    void append(CharSequence cs) throws ScanFailure {
        buf.append(cs);
        drain();
    }

    void append(char[] chars, int off, int len) throws ScanFailure {
        buf.append(chars, off, len);
        drain();
    }

    private void drain() throws ScanFailure {
        while (buf.length() >= size) {
            int ownEnd = size - overlap;
            sink.segment(buf.substring(0, size), ownEnd, baseLine);
            baseLine += countNewlines(buf, 0, ownEnd);
            buf.delete(0, ownEnd);
        }
    }

    /** Emits what is left as the last segment. */
    void finish() throws ScanFailure {
        if (buf.length() > 0) {
            sink.segment(buf.toString(), buf.length(), baseLine);
            buf.setLength(0);
        }
    }

    static int countNewlines(CharSequence s, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            if (s.charAt(i) == '\n') {
                n++;
            }
        }
        return n;
    }
}
