package bot.bottle.gitgate.scan;

import java.io.IOException;
import java.io.InputStream;

/**
 * Extracts the text runs of binary content, like {@code strings -e S} and {@code strings -e l/b}
 * together: printable ASCII runs, and UTF-16 little- and big-endian runs of ASCII characters at both byte
 * alignments. Runs are emitted one per line. A secret in a compiled file, a database, an Office document's
 * UTF-16 stream or a UTF-16 text file is therefore scanned like text.
 *
 * <p>Very long runs are emitted in pieces that overlap, so memory stays bounded and nothing at a piece
 * boundary is lost.
 */
final class BinaryRuns {

    /** Runs shorter than this are noise (no secret format is this short). */
    static final int MIN_RUN = 8;
    private static final int MAX_PIECE = 256 << 10;
    private static final int PIECE_OVERLAP = 8 << 10;

    interface Sink {
        void run(CharSequence run) throws ScanFailure;
    }

    private final Sink sink;
    private final StringBuilder ascii = new StringBuilder();
    private final StringBuilder[] le = {new StringBuilder(), new StringBuilder()};
    private final StringBuilder[] be = {new StringBuilder(), new StringBuilder()};
    private long pos;
    private int prev = -1;

    BinaryRuns(Sink sink) {
        this.sink = sink;
    }

    static boolean printable(int b) {
        return (b >= 0x20 && b < 0x7f) || b == '\t';
    }

    /** Reads the stream to its end; returns the number of bytes read. */
    long process(InputStream in, ByteBudget budget) throws IOException, ScanFailure {
        byte[] buf = new byte[64 << 10];
        int n;
        long total = 0;
        while ((n = in.read(buf)) > 0) {
            budget.take(n);
            total += n;
            for (int i = 0; i < n; i++) {
                accept(buf[i] & 0xff);
            }
        }
        flushAll();
        return total;
    }

    void accept(int b) throws ScanFailure {
        if (printable(b)) {
            add(ascii, (char) b);
        } else {
            flush(ascii);
        }
        if (prev >= 0) {
            int align = (int) ((pos - 1) & 1);
            if (printable(prev) && b == 0) {
                add(le[align], (char) prev);
            } else {
                flush(le[align]);
            }
            if (prev == 0 && printable(b)) {
                add(be[align], (char) b);
            } else {
                flush(be[align]);
            }
        }
        prev = b;
        pos++;
    }

    private void add(StringBuilder run, char c) throws ScanFailure {
        run.append(c);
        if (run.length() >= MAX_PIECE) {
            sink.run(run);
            run.delete(0, run.length() - PIECE_OVERLAP);
        }
    }

    private void flush(StringBuilder run) throws ScanFailure {
        if (run.length() >= MIN_RUN) {
            sink.run(run);
        }
        run.setLength(0);
    }

    void flushAll() throws ScanFailure {
        flush(ascii);
        for (int i = 0; i < 2; i++) {
            flush(le[i]);
            flush(be[i]);
        }
    }

    /** Counts bytes against the scan's limit. */
    interface ByteBudget {
        void take(long n) throws ScanFailure;
    }
}
