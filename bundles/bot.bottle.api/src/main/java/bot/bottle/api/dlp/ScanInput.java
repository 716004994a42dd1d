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
 */
public record ScanInput(Direction direction, String host, String surface, CharSequence text) {
    public ScanInput {
        Objects.requireNonNull(direction, "direction");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(surface, "surface");
        Objects.requireNonNull(text, "text");
    }

    public static ScanInput outbound(String surface, CharSequence text) {
        return new ScanInput(Direction.OUTBOUND, "", surface, text);
    }

    public static ScanInput inbound(String surface, CharSequence text) {
        return new ScanInput(Direction.INBOUND, "", surface, text);
    }
}
