package bot.bottle.dlp.http;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

import bot.bottle.api.dlp.Direction;
import bot.bottle.api.dlp.ScanInput;

/**
 * Parses one raw HTTP/1.1 request (outbound) or response (inbound) into the surfaces the proxy scans:
 * {@code path} (request target), {@code header:<name>} (value; {@code #n} for repeats) and {@code body}
 * (de-chunked, content-decoded). Refuses what the proxy refuses (SECURITY-NOTES items 7 and 9):
 * Content-Length with Transfer-Encoding, duplicate or comma-joined Content-Length, obsolete line folding,
 * control characters in the head, invalid chunk sizes, unknown content codings, and bodies that
 * decompress beyond the size or ratio cap. Bare LF line ends are accepted so hand-written files work.
 */
public final class HttpMessage {
    public static final long MAX_DECODED = 64L * 1024 * 1024;
    public static final int MAX_RATIO = 200;

    /** A message that cannot be scanned as the proxy would; the message is one line. */
    public static final class Refused extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    private HttpMessage() {
    }

    public static List<ScanInput> parse(byte[] raw, Direction direction, String host) {
        int headEnd = indexOf(raw, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        int sep = 4;
        int lf = indexOf(raw, "\n\n".getBytes(StandardCharsets.US_ASCII));
        if (headEnd < 0 || (lf >= 0 && lf < headEnd)) {
            headEnd = lf;
            sep = 2;
        }
        if (headEnd < 0) {
            throw new Refused("no end of the HTTP head (blank line) found");
        }
        String head = new String(raw, 0, headEnd, StandardCharsets.ISO_8859_1);
        String[] lines = head.split("\r?\n", -1);
        String start = lines[0];
        List<ScanInput> out = new ArrayList<>();
        checkControls(start, "start line");
        String[] parts = start.split(" ", 3);
        if (direction == Direction.OUTBOUND) {
            if (parts.length != 3 || !parts[2].startsWith("HTTP/")) {
                throw new Refused("not an HTTP request line");
            }
            out.add(new ScanInput(direction, host, "path", parts[1]));
        } else if (!start.startsWith("HTTP/")) {
            throw new Refused("not an HTTP status line");
        }
        Map<String, Integer> seen = new HashMap<>();
        List<String> contentLength = new ArrayList<>();
        String transferEncoding = null;
        String contentEncoding = null;
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.startsWith(" ") || line.startsWith("\t")) {
                throw new Refused("obsolete header line folding");
            }
            checkControls(line, "header");
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new Refused("malformed header line " + i);
            }
            String name = line.substring(0, colon);
            if (!name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
                throw new Refused("invalid header name on line " + i);
            }
            String lower = name.toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).strip();
            int n = seen.merge(lower, 1, Integer::sum) - 1;
            out.add(new ScanInput(direction, host, "header:" + lower + (n == 0 ? "" : "#" + n), value));
            switch (lower) {
                case "content-length" -> contentLength.add(value);
                case "transfer-encoding" -> transferEncoding = transferEncoding == null ? value : transferEncoding + "," + value;
                case "content-encoding" -> contentEncoding = contentEncoding == null ? value : contentEncoding + "," + value;
                default -> { }
            }
        }
        if (!contentLength.isEmpty() && transferEncoding != null) {
            throw new Refused("both Content-Length and Transfer-Encoding");
        }
        if (contentLength.size() > 1 || (contentLength.size() == 1 && !contentLength.get(0).matches("[0-9]{1,18}"))) {
            throw new Refused("duplicate or invalid Content-Length");
        }
        int bodyStart = headEnd + sep;
        byte[] body = java.util.Arrays.copyOfRange(raw, Math.min(bodyStart, raw.length), raw.length);
        if (transferEncoding != null) {
            if (!transferEncoding.strip().equalsIgnoreCase("chunked")) {
                throw new Refused("unsupported Transfer-Encoding");
            }
            body = dechunk(body);
        } else if (contentLength.size() == 1) {
            long len = Long.parseLong(contentLength.get(0));
            if (len > body.length) {
                throw new Refused("body shorter than Content-Length");
            }
            body = java.util.Arrays.copyOf(body, (int) len);
        }
        if (contentEncoding != null) {
            String[] codings = contentEncoding.split(",");
            for (int k = codings.length - 1; k >= 0; k--) {
                body = decode(codings[k].strip().toLowerCase(Locale.ROOT), body);
            }
        }
        if (body.length > 0) {
            out.add(new ScanInput(direction, host, "body", new String(body, StandardCharsets.UTF_8)));
        }
        return out;
    }

    private static void checkControls(String s, String where) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                throw new Refused("control character in the " + where);
            }
        }
    }

    static byte[] dechunk(byte[] in) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int pos = 0;
        while (true) {
            int eol = indexOf(in, pos, (byte) '\n');
            if (eol < 0) {
                throw new Refused("truncated chunked body");
            }
            String line = new String(in, pos, eol - pos, StandardCharsets.ISO_8859_1).replaceAll("\r$", "");
            int semi = line.indexOf(';');
            String size = (semi < 0 ? line : line.substring(0, semi)).strip();
            if (!size.matches("[0-9A-Fa-f]{1,8}")) {
                throw new Refused("invalid chunk size");
            }
            long n = Long.parseLong(size, 16);
            pos = eol + 1;
            if (n == 0) {
                return out.toByteArray(); // trailers, if any, are not body
            }
            if (pos + n > in.length || out.size() + n > MAX_DECODED) {
                throw new Refused("chunk larger than the remaining body or the size cap");
            }
            out.write(in, pos, (int) n);
            pos += (int) n;
            if (pos < in.length && in[pos] == '\r') {
                pos++;
            }
            if (pos >= in.length || in[pos] != '\n') {
                throw new Refused("chunk not followed by CRLF");
            }
            pos++;
        }
    }

    static byte[] decode(String coding, byte[] body) {
        try {
            return switch (coding) {
                case "identity", "" -> body;
                case "gzip", "x-gzip" -> capped(new GZIPInputStream(new ByteArrayInputStream(body)), body.length);
                case "deflate" -> {
                    // RFC 9110 deflate is zlib-wrapped; some servers send raw deflate: accept both.
                    try {
                        yield capped(new InflaterInputStream(new ByteArrayInputStream(body)), body.length);
                    } catch (IOException e) {
                        yield capped(new InflaterInputStream(new ByteArrayInputStream(body), new Inflater(true)), body.length);
                    }
                }
                default -> throw new Refused("cannot decode Content-Encoding " + coding + "; refusing to pass it unscanned");
            };
        } catch (IOException e) {
            throw new Refused("body does not decode as " + coding);
        }
    }

    private static byte[] capped(InputStream in, int compressed) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[16384];
        long limit = Math.min(MAX_DECODED, Math.max(1L << 20, (long) compressed * MAX_RATIO));
        try (in) {
            int n;
            while ((n = in.read(buf)) > 0) {
                if (out.size() + n > limit) {
                    throw new Refused("decompressed body exceeds the size or ratio cap");
                }
                out.write(buf, 0, n);
            }
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] a, byte[] pat) {
        outer:
        for (int i = 0; i + pat.length <= a.length; i++) {
            for (int k = 0; k < pat.length; k++) {
                if (a[i + k] != pat[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static int indexOf(byte[] a, int from, byte b) {
        for (int i = from; i < a.length; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
