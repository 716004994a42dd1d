package bot.bottle.api.dlp;

import java.util.Objects;

/**
 * One piece of text to scan, already normalised by the caller (decoded body, percent-decoded path).
 *
 * @param direction which way the content travels
 * @param host      the destination host (lower case), or "" when scanning outside the proxy
 * @param surface   where the text came from, for reports: {@code "header:authorization"}, {@code "path"},
 *                  {@code "body"}, {@code "commit:message"}, {@code "file:src/app.py"}
 * @param text      the text itself; detectors must not keep a reference to it after {@code scan} returns
 * @param latin1    the text's chars as ISO-8859-1 bytes (one byte per char, every char below U+0100) when
 *                  the caller holds them anyway (the proxy's ASCII bodies), else null: a detector may
 *                  search them instead of encoding the text again; read-only, and not kept either
 * @since 1.1
 */
public record ScanInput(Direction direction, String host, String surface, CharSequence text, byte[] latin1) {
    public ScanInput {
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(surface, "surface");
        Objects.requireNonNull(text, "text");
        if (latin1 != null && latin1.length != text.length()) {
            throw new IllegalArgumentException("latin1 holds " + latin1.length + " bytes for " + text.length()
                    + " chars");
        }
    }

    /** Without bytes: the form of version 1.0. */
    public ScanInput(Direction direction, String host, String surface, CharSequence text) {
        this(direction, host, surface, text, null);
    }

    public static ScanInput outbound(String surface, CharSequence text) {
        return new ScanInput(Direction.OUTBOUND, "", surface, text);
    }

    public static ScanInput inbound(String surface, CharSequence text) {
        return new ScanInput(Direction.INBOUND, "", surface, text);
    }
}
