package bot.bottle.egress.proxy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

import org.brotli.dec.BrotliInputStream;

/**
 * Content decoding for scanning (SECURITY-NOTES 4 and 7): gzip, deflate and br, applied in reverse
 * order of {@code Content-Encoding}, with a cap on the decoded size and on the expansion ratio. Anything
 * that cannot be decoded within the caps throws, and the caller refuses the message: a body is never
 * passed on unscanned because it was too big or in an unknown encoding.
 */
public final class BodyCodec {
    /** Expansion beyond this ratio (and beyond {@link #RATIO_FLOOR}) is treated as a decompression bomb. */
    public static final int MAX_RATIO = 1000;
    static final int RATIO_FLOOR = 1 << 20;

    private BodyCodec() {
    }

    /** Decoded body bytes; {@code encoding} may be null or empty (identity). */
    public static byte[] decode(byte[] body, String encoding, long maxDecoded) throws IOException {
        if (encoding == null || encoding.isBlank()) {
            return body;
        }
        String[] codings = encoding.toLowerCase(Locale.ROOT).split(",");
        byte[] cur = body;
        for (int i = codings.length - 1; i >= 0; i--) {
            String c = codings[i].trim();
            long limit = Math.min(maxDecoded, Math.max(RATIO_FLOOR, (long) cur.length * MAX_RATIO));
            cur = switch (c) {
                case "identity", "" -> cur;
                case "gzip", "x-gzip" -> drain(new GZIPInputStream(new ByteArrayInputStream(cur)), limit);
                case "deflate" -> inflate(cur, limit);
                case "br" -> drain(new BrotliInputStream(new ByteArrayInputStream(cur)), limit);
                default -> throw new IOException("unsupported content-encoding '" + c + "'");
            };
        }
        return cur;
    }

    /** Whether a Content-Encoding value is one this class can decode. */
    public static boolean supported(String encoding) {
        if (encoding == null || encoding.isBlank()) {
            return true;
        }
        for (String c : encoding.toLowerCase(Locale.ROOT).split(",")) {
            switch (c.trim()) {
                case "identity", "gzip", "x-gzip", "deflate", "br" -> { }
                default -> {
                    return false;
                }
            }
        }
        return true;
    }

    private static byte[] inflate(byte[] in, long limit) throws IOException {
        // "deflate" is zlib-wrapped per RFC 9110, but some servers send raw deflate: try both.
        try {
            return drain(new InflaterInputStream(new ByteArrayInputStream(in), new Inflater(false)), limit);
        } catch (java.util.zip.ZipException e) {
            return drain(new InflaterInputStream(new ByteArrayInputStream(in), new Inflater(true)), limit);
        }
    }

    private static byte[] drain(InputStream in, long limit) throws IOException {
        try (in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[16384];
            int n;
            while ((n = in.read(buf)) > 0) {
                if (out.size() + (long) n > limit) {
                    throw new IOException("decoded body exceeds " + limit + " bytes");
                }
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        }
    }

    /**
     * Body text for scanning: UTF-8 when the bytes are valid UTF-8, else ISO-8859-1 (byte per char).
     * {@code latin1} is the decoded bytes themselves when they are the text's ISO-8859-1 bytes (ASCII, or
     * decoded as ISO-8859-1), else null: passed to scanners so they need not encode the text again.
     */
    public record Text(String text, Charset charset, byte[] latin1) {
        public byte[] encode(String s) {
            return s.getBytes(charset);
        }
    }

    public static Text text(byte[] bytes) {
        // Fast path: String's own UTF-8 decoding (an intrinsic copy for ASCII, kept Latin-1 compact) replaces
        // malformed input with U+FFFD, so a result without U+FFFD proves the bytes were valid UTF-8. Only
        // text holding U+FFFD (malformed, or a real encoded U+FFFD) takes the strict decoder below.
        String fast = new String(bytes, StandardCharsets.UTF_8);
        if (fast.indexOf('\uFFFD') < 0) {
            // as many chars as bytes: every byte was ASCII (any other UTF-8 char takes two or more)
            return new Text(fast, StandardCharsets.UTF_8, fast.length() == bytes.length ? bytes : null);
        }
        try {
            String s = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
            return new Text(s, StandardCharsets.UTF_8, null);
        } catch (CharacterCodingException e) {
            return new Text(new String(bytes, StandardCharsets.ISO_8859_1), StandardCharsets.ISO_8859_1, bytes);
        }
    }
}
