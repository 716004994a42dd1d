package bot.bottle.dlp.engine;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer.Form;
import java.util.ArrayList;
import java.util.List;

/**
 * Canonicalises text before detectors see it (SECURITY-NOTES item 4): percent decoding (repeated, so
 * double and triple encoding unwrap), backslash escapes ({@code \\uXXXX}, {@code \\xHH}, JSON escapes),
 * HTML numeric entities, Unicode NFKC, removal of invisible characters (format characters such as
 * zero-width and bidi controls, soft hyphen, tag characters, combining marks) and a small homoglyph
 * fold; then bounded recursive decoding of base64 / base64url / hex runs. Every view maps back to the
 * original text.
 *
 * <p>Stateless and thread-safe.
 */
public final class Normaliser {
    /** Decoding layers below the original (SECURITY-NOTES: depth at most 5). */
    public static final int MAX_DEPTH = 5;
    /** Shortest base64 run worth decoding: base64 of a 15-byte value. */
    static final int MIN_BASE64_RUN = 20;
    /** Shortest hex run worth decoding: 16 bytes. */
    static final int MIN_HEX_RUN = 32;
    /** Shortest printable run kept from binary decoded data. */
    static final int MIN_BINARY_STRING = 16;
    private static final int MAX_ROUNDS = 6;
    private static final int MAX_VIEWS = 20_000;

    private static final byte B64_NONE = -1;
    private static final byte[] B64 = new byte[128];
    private static final byte[] B64B = new byte[256]; // B64 indexed by a Latin-1 byte

    static {
        java.util.Arrays.fill(B64, B64_NONE);
        for (int i = 0; i < 26; i++) {
            B64['A' + i] = (byte) i;
            B64['a' + i] = (byte) (26 + i);
        }
        for (int i = 0; i < 10; i++) {
            B64['0' + i] = (byte) (52 + i);
        }
        B64['+'] = 62;
        B64['-'] = 62;
        B64['/'] = 63;
        B64['_'] = 63;
        java.util.Arrays.fill(B64B, B64_NONE);
        System.arraycopy(B64, 0, B64B, 0, 128);
    }

    private final int maxDepth;

    public Normaliser() {
        this(MAX_DEPTH);
    }

    public Normaliser(int maxDepth) {
        this.maxDepth = Math.min(maxDepth, MAX_DEPTH);
    }

    /**
     * All views of {@code original} to scan: the canonical view first, then every decoded run
     * (recursively, canonicalised too).
     */
    public List<TextView> views(String original) {
        return views(TextView.identity(original));
    }

    /** As {@link #views(String)}, starting from a prepared view of the original. */
    public List<TextView> views(TextView original) {
        List<TextView> out = new ArrayList<>();
        long[] budget = {4L * original.length() + 1_000_000L};
        expand(canonical(original), out, budget);
        return out;
    }

    private void expand(TextView canonical, List<TextView> out, long[] budget) {
        out.add(canonical);
        if (out.size() > MAX_VIEWS) {
            throw new ScanLimitException("too many encoded runs to decode (more than " + MAX_VIEWS + ")");
        }
        if (canonical.depth() >= maxDepth) {
            return;
        }
        for (TextView decoded : decodeRuns(canonical)) {
            budget[0] -= decoded.length();
            if (budget[0] < 0) {
                throw new ScanLimitException("decoded content exceeds the scan budget");
            }
            expand(canonical(decoded), out, budget);
        }
    }

    /** Percent, escape and Unicode passes until nothing changes (bounded). */
    public TextView canonical(TextView v) {
        for (int round = 0; round < MAX_ROUNDS; round++) {
            TextView next = unicode(unescape(percent(v)));
            if (next == v) {
                return v;
            }
            v = next;
        }
        return v;
    }

    // ---- percent decoding -------------------------------------------------------------------------

    static TextView percent(TextView v) {
        String t = v.text();
        if (t.indexOf('%') < 0) {
            return v;
        }
        int len = t.length();
        ViewBuilder b = new ViewBuilder(v);
        int i = 0;
        while (i < len) {
            int next = t.indexOf('%', i);
            if (next < 0) {
                b.copyRange(i, len);
                break;
            }
            b.copyRange(i, next);
            i = next;
            char c = '%';
            if (i + 2 < len && hex(t.charAt(i + 1)) >= 0 && hex(t.charAt(i + 2)) >= 0) {
                int j = i;
                boolean ascii = true;
                ByteBuffer bytes = ByteBuffer.allocate(64);
                while (j + 2 < len && t.charAt(j) == '%' && hex(t.charAt(j + 1)) >= 0 && hex(t.charAt(j + 2)) >= 0) {
                    int by = hex(t.charAt(j + 1)) * 16 + hex(t.charAt(j + 2));
                    if (by >= 0x80) {
                        ascii = false;
                    }
                    if (!bytes.hasRemaining()) {
                        ByteBuffer bigger = ByteBuffer.allocate(bytes.capacity() * 2);
                        bytes.flip();
                        bigger.put(bytes);
                        bytes = bigger;
                    }
                    bytes.put((byte) by);
                    j += 3;
                }
                if (ascii) {
                    for (int k = i; k < j; k += 3) {
                        b.emit((char) (hex(t.charAt(k + 1)) * 16 + hex(t.charAt(k + 2))), k, k + 3);
                    }
                } else {
                    bytes.flip();
                    b.emit(StandardCharsets.UTF_8.decode(bytes), i, j);
                }
                i = j;
            } else if (i + 5 < len && (t.charAt(i + 1) == 'u' || t.charAt(i + 1) == 'U')
                    && hex4(t, i + 2) >= 0) {
                // %uXXXX: a non-standard escape some servers still accept.
                b.emit((char) hex4(t, i + 2), i, i + 6);
                i += 6;
            } else {
                b.copy(i++);
            }
        }
        return b.build("percent");
    }

    // ---- backslash escapes and HTML entities ------------------------------------------------------

    static TextView unescape(TextView v) {
        String t = v.text();
        if (t.indexOf('\\') < 0 && t.indexOf('&') < 0) {
            return v;
        }
        int len = t.length();
        ViewBuilder b = new ViewBuilder(v);
        int i = 0;
        int nextSlash = t.indexOf('\\');
        int nextAmp = t.indexOf('&');
        while (i < len) {
            if (nextSlash >= 0 && nextSlash < i) {
                nextSlash = t.indexOf('\\', i);
            }
            if (nextAmp >= 0 && nextAmp < i) {
                nextAmp = t.indexOf('&', i);
            }
            int next = nextSlash < 0 ? nextAmp : nextAmp < 0 ? nextSlash : Math.min(nextSlash, nextAmp);
            if (next < 0) {
                b.copyRange(i, len);
                break;
            }
            b.copyRange(i, next);
            i = next;
            char c = t.charAt(i);
            if (c == '\\' && i + 1 < len) {
                char n = t.charAt(i + 1);
                int consumed = 0;
                switch (n) {
                    case 'u':
                    case 'U': {
                        int cp = hex4(t, i + 2);
                        if (cp >= 0) {
                            consumed = 6;
                            if (Character.isHighSurrogate((char) cp) && i + 12 <= len && t.startsWith("\\u", i + 6)) {
                                int lo = hex4(t, i + 8);
                                if (lo >= 0 && Character.isLowSurrogate((char) lo)) {
                                    b.emit((char) cp, i, i + 12);
                                    b.emit((char) lo, i, i + 12);
                                    i += 12;
                                    continue;
                                }
                            }
                            b.emit((char) cp, i, i + 6);
                        } else if (i + 3 < len && t.charAt(i + 2) == '{') {
                            int close = t.indexOf('}', i + 3);
                            if (close > i + 3 && close <= i + 9) {
                                int cpv = parseHex(t, i + 3, close);
                                if (cpv >= 0 && cpv <= Character.MAX_CODE_POINT) {
                                    b.emit(new String(Character.toChars(cpv)), i, close + 1);
                                    consumed = close + 1 - i;
                                }
                            }
                        }
                        break;
                    }
                    case 'x': {
                        if (i + 3 < len && hex(t.charAt(i + 2)) >= 0 && hex(t.charAt(i + 3)) >= 0) {
                            b.emit((char) (hex(t.charAt(i + 2)) * 16 + hex(t.charAt(i + 3))), i, i + 4);
                            consumed = 4;
                        }
                        break;
                    }
                    case 'n': consumed = emit2(b, '\n', i); break;
                    case 'r': consumed = emit2(b, '\r', i); break;
                    case 't': consumed = emit2(b, '\t', i); break;
                    case 'b': consumed = emit2(b, '\b', i); break;
                    case 'f': consumed = emit2(b, '\f', i); break;
                    case '/': consumed = emit2(b, '/', i); break;
                    case '"': consumed = emit2(b, '"', i); break;
                    case '\'': consumed = emit2(b, '\'', i); break;
                    case '\\': consumed = emit2(b, '\\', i); break;
                    default:
                        break;
                }
                if (consumed > 0) {
                    i += consumed;
                } else {
                    b.copy(i++);
                }
            } else if (c == '&' && i + 3 < len) {
                int semi = t.indexOf(';', i + 2);
                int consumed = 0;
                if (semi > 0 && semi - i <= 10) {
                    String ent = t.substring(i + 1, semi);
                    int cp = -1;
                    if (ent.startsWith("#x") || ent.startsWith("#X")) {
                        cp = parseHex(t, i + 3, semi);
                    } else if (ent.startsWith("#")) {
                        cp = parseDec(t, i + 2, semi);
                    } else {
                        switch (ent) {
                            case "amp": cp = '&'; break;
                            case "lt": cp = '<'; break;
                            case "gt": cp = '>'; break;
                            case "quot": cp = '"'; break;
                            case "apos": cp = '\''; break;
                            case "nbsp": cp = ' '; break;
                            default: break;
                        }
                    }
                    if (cp >= 0 && cp <= Character.MAX_CODE_POINT) {
                        b.emit(new String(Character.toChars(cp)), i, semi + 1);
                        consumed = semi + 1 - i;
                    }
                }
                if (consumed > 0) {
                    i += consumed;
                } else {
                    b.copy(i++);
                }
            } else {
                b.copy(i++);
            }
        }
        return b.build("unescape");
    }

    private static int emit2(ViewBuilder b, char c, int i) {
        b.emit(c, i, i + 2);
        return 2;
    }

    // ---- Unicode ---------------------------------------------------------------------------------

    /** Per-BMP-char cache of the Unicode pass: null = not computed, "" = dropped, KEEP = unchanged. */
    private static final String[] BMP = new String[65536];
    private static final String KEEP = new String("keep");

    static TextView unicode(TextView v) {
        if (v.isAscii()) {
            return v; // remembered per view, so the fixpoint's second round does not look again
        }
        String t = v.text();
        int len = t.length();
        int first = 0;
        while (t.charAt(first) < 0x80) {
            first++;
        }
        ViewBuilder b = new ViewBuilder(v);
        b.copyRange(0, first);
        int i = first;
        while (i < len) {
            char c = t.charAt(i);
            if (c < 0x80) {
                int j = i + 1;
                while (j < len && t.charAt(j) < 0x80) {
                    j++;
                }
                b.copyRange(i, j);
                i = j;
                continue;
            }
            int cp = t.codePointAt(i);
            int cc = Character.charCount(cp);
            String r = cp < 0x10000 ? bmp(cp) : fold(cp);
            if (r == KEEP) {
                b.copyRange(i, i + cc);
            } else if (r.isEmpty()) {
                b.drop();
            } else {
                b.emit(r, i, i + cc);
            }
            i += cc;
        }
        return b.build("unicode");
    }

    private static String bmp(int cp) {
        String r = BMP[cp];
        if (r == null) {
            r = fold(cp);
            BMP[cp] = r; // benign race: every thread computes the same immutable value
        }
        return r;
    }

    /** The replacement for one code point: KEEP, "" (drop) or its folded form. */
    static String fold(int cp) {
        if (isInvisible(cp)) {
            return "";
        }
        String s = new String(Character.toChars(cp));
        String n = java.text.Normalizer.normalize(s, Form.NFKC);
        StringBuilder out = new StringBuilder(n.length());
        for (int k = 0; k < n.length(); ) {
            int c = n.codePointAt(k);
            k += Character.charCount(c);
            if (isInvisible(c)) {
                continue;
            }
            char h = homoglyph(c);
            if (h != 0) {
                out.append(h);
            } else {
                out.appendCodePoint(c);
            }
        }
        String r = out.toString();
        return r.equals(s) ? KEEP : r;
    }

    /** Default-ignorable, format (zero-width, bidi, tags) and combining characters. */
    static boolean isInvisible(int cp) {
        int type = Character.getType(cp);
        if (type == Character.FORMAT || type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK) {
            return true;
        }
        return cp == 0x00AD || cp == 0x034F || cp == 0x115F || cp == 0x1160 || cp == 0x17B4 || cp == 0x17B5
                || (cp >= 0x180B && cp <= 0x180F) || cp == 0x3164 || (cp >= 0xFE00 && cp <= 0xFE0F)
                || cp == 0xFFA0 || (cp >= 0xE0000 && cp <= 0xE0FFF) || (cp >= 0x1D173 && cp <= 0x1D17A);
    }

    private static final String HOMOGLYPHS_FROM =
            "аеорсухіјѕԁԛԝАВЕКМНОРСТХІЈЅԌΑΒΕΖΗΙΚΜΝΟΡΤΥΧοαρνι";
    private static final String HOMOGLYPHS_TO =
            "aeopcyxijsdqwABEKMHOPCTXIJSGABEZHIKMNOPTYXoapvi";

    /** Latin look-alikes from Cyrillic and Greek that NFKC keeps apart (0 when none). */
    static char homoglyph(int cp) {
        int k = cp < 0x10000 ? HOMOGLYPHS_FROM.indexOf(cp) : -1;
        return k < 0 ? 0 : HOMOGLYPHS_TO.charAt(k);
    }

    // ---- encoded runs ----------------------------------------------------------------------------

    // char classes for the run scanner
    private static final byte C_B64 = 1;
    private static final byte C_HEX = 2;
    private static final byte C_MIXED = 4;  // digit or + / - _
    private static final byte C_LOWER = 8;
    private static final byte C_UPPER = 16;
    private static final byte C_HEX_DELIM = 32; // hex digit or a delimiter of delimited hex
    private static final byte[] CLS = new byte[256]; // indexed by a Latin-1 byte; non-ASCII: no class

    static {
        for (int c = 0; c < 128; c++) {
            byte k = 0;
            if (B64[c] != B64_NONE) {
                k |= C_B64;
            }
            if (hex((char) c) >= 0) {
                k |= C_HEX;
            }
            if ((c >= '0' && c <= '9') || c == '+' || c == '/' || c == '-' || c == '_') {
                k |= C_MIXED;
            }
            if (c >= 'a' && c <= 'z') {
                k |= C_LOWER;
            }
            if (c >= 'A' && c <= 'Z') {
                k |= C_UPPER;
            }
            if (hex((char) c) >= 0 || c == '-' || c == ':' || c == ' ' || c == ',') {
                k |= C_HEX_DELIM;
            }
            CLS[c] = k;
        }
    }

    /** Decodes every base64 / base64url / hex run of the canonical view into child views. */
    List<TextView> decodeRuns(TextView v) {
        String t = v.text();
        List<TextView> out = new ArrayList<>();
        byte[] latin1 = v.asciiBytes(); // cached in the view: the automaton pass walks the same bytes
        if (latin1 == null) {
            latin1 = t.getBytes(StandardCharsets.ISO_8859_1);
        }
        for (int[] r : runs(latin1)) {
            int start = r[0];
            int end = r[1];
            int runEnd = r[2];
            if (r[3] != 0) {
                byte[] bytes = decodeHex(t.substring(start, end));
                if (!addDecoded(v, bytes, start, runEnd, "hex", out)) {
                    binaryStrings(v, bytes, start, runEnd, "hex", out);
                }
                continue;
            }
            if (isUuid(latin1, start, runEnd)) {
                continue; // see isUuid
            }
            decodeBase64Run(v, latin1, start, end, runEnd, out);
        }
        decodeDelimitedHex(v, latin1, out);
        TextView qp = quotedPrintable(v);
        if (qp != v) {
            out.add(qp);
        }
        return out;
    }

    /**
     * Whether the run [start, end) is exactly a UUID in its canonical form (8-4-4-4-12 hex digits of one
     * case). Such runs (message and request ids) are the most common base64url-alphabet runs in agent
     * traffic, and are not trial-decoded as base64: they are still scanned as text, and their base64
     * decoding cannot carry an arbitrary secret. Its sextets come from 17 chars only, so whatever the
     * alignment every third decoded byte is 'i' to DEL or not ASCII (lower case), or a control char or
     * not ASCII (upper case) (a known value is matched in its own encodings anyway; hex hidden in UUIDs
     * is not base64's business).
     */
    static boolean isUuid(byte[] t, int start, int end) {
        if (end - start != 36) {
            return false;
        }
        int cases = 0;
        for (int k = 0; k < 36; k++) {
            int c = t[start + k];
            if (k == 8 || k == 13 || k == 18 || k == 23) {
                if (c != '-') {
                    return false;
                }
            } else if (c >= 'a' && c <= 'f') {
                cases |= 1;
            } else if (c >= 'A' && c <= 'F') {
                cases |= 2;
            } else if (c < '0' || c > '9') {
                return false;
            }
        }
        return cases != 3;
    }

    /** Fewest {@code =XX} escapes that make a text worth a quoted-printable view. */
    static final int MIN_QP_ESCAPES = 3;

    /**
     * Quoted-printable (MIME): {@code =XX} (upper-case hex) is a byte, {@code =} at a line end a soft
     * line break. Not a canonical pass, because {@code =41} is ordinary in query strings and assignments
     * ({@code key=AB12...}): decoding there would mangle a token. A text with at least
     * {@link #MIN_QP_ESCAPES} escapes gets a decoded child view instead, mapped char by char to the
     * original; the text itself is still scanned as it is. Returns {@code v} when there is nothing to do.
     */
    static TextView quotedPrintable(TextView v) {
        String t = v.text();
        int len = t.length();
        int escapes = 0;
        for (int i = t.indexOf('='); i >= 0 && escapes < MIN_QP_ESCAPES; i = t.indexOf('=', i + 1)) {
            if (i + 2 < len && upperHex(t.charAt(i + 1)) >= 0 && upperHex(t.charAt(i + 2)) >= 0) {
                escapes++;
            }
        }
        if (escapes < MIN_QP_ESCAPES) {
            return v;
        }
        ViewBuilder b = new ViewBuilder(v);
        int i = 0;
        while (i < len) {
            int next = t.indexOf('=', i);
            if (next < 0) {
                b.copyRange(i, len);
                break;
            }
            b.copyRange(i, next);
            i = next;
            if (i + 2 < len && upperHex(t.charAt(i + 1)) >= 0 && upperHex(t.charAt(i + 2)) >= 0) {
                // a sequence of escaped bytes: ASCII one by one, else decoded as UTF-8 together
                int j = i;
                java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
                boolean ascii = true;
                while (j + 2 < len && t.charAt(j) == '=' && upperHex(t.charAt(j + 1)) >= 0 && upperHex(t.charAt(j + 2)) >= 0) {
                    int by = upperHex(t.charAt(j + 1)) * 16 + upperHex(t.charAt(j + 2));
                    ascii &= by < 0x80;
                    bytes.write(by);
                    j += 3;
                }
                if (ascii) {
                    for (int k = i; k < j; k += 3) {
                        b.emit((char) (upperHex(t.charAt(k + 1)) * 16 + upperHex(t.charAt(k + 2))), k, k + 3);
                    }
                } else {
                    b.emit(new String(bytes.toByteArray(), StandardCharsets.UTF_8), i, j);
                }
                i = j;
            } else if (i + 1 < len && (t.charAt(i + 1) == '\n' || t.charAt(i + 1) == '\r')) {
                // soft line break: "=\n" or "=\r\n" joins the lines
                b.drop();
                i += t.charAt(i + 1) == '\r' && i + 2 < len && t.charAt(i + 2) == '\n' ? 3 : 2;
            } else {
                b.copy(i++);
            }
        }
        return b.build("quoted-printable", 1);
    }

    private static int upperHex(char c) {
        return (c >= '0' && c <= '9') ? c - '0' : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
    }

    /**
     * Skip loop: the first index at or after {@code i} where {@code min} chars of class {@code bit} follow
     * in a row, or -1. {@code i} must be where a stretch could start (its left neighbour is not of the
     * class), and so is the result. Probes the last char of the would-be stretch first and, when it is of
     * the class, scans back for a breaker: ordinary text is rejected a word at a time, not a char.
     */
    static int nextStretch(byte[] t, int i, byte bit, int min) {
        return nextStretch(t, i, t.length, bit, min);
    }

    /** As {@link #nextStretch(byte[], int, byte, int)} for a stretch that ends by {@code len}. */
    private static int nextStretch(byte[] t, int i, int len, byte bit, int min) {
        final byte[] cls = CLS;
        while (true) {
            int probe = i + min - 1;
            if (probe >= len) {
                return -1;
            }
            if ((cls[t[probe] & 0xff] & bit) == 0) {
                i = probe + 1;
                continue;
            }
            int back = probe - 1;
            while (back >= i) {
                if ((cls[t[back] & 0xff] & bit) == 0) {
                    break;
                }
                back--;
            }
            if (back < i) {
                return i;
            }
            i = back + 1;
        }
    }

    private static final java.lang.invoke.VarHandle LONGS =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH = 0x8080808080808080L;
    private static final long ONES = 0x0101010101010101L;

    /**
     * {@code nextStretch(t, i, C_B64, MIN_BASE64_RUN)}, eight bytes at a time: a byte below '+', above
     * 'z' or past ASCII is never in the base64 alphabet (a "sure breaker": spaces, quotes, line breaks),
     * and a run lies between two of them, so only gaps of at least {@link #MIN_BASE64_RUN} bytes between
     * sure breakers get the exact search. In prose every word ends in a space: one word-sized load and a
     * few bit operations per eight chars instead of a branchy probe per word.
     */
    static int nextBase64Stretch(byte[] t, int i) {
        return nextStretchByWords(t, i, '+', 'z' + 1, C_B64, MIN_BASE64_RUN);
    }

    /** As {@link #nextBase64Stretch} for delimited hex: sure breakers are controls and 'g' and above. */
    static int nextDelimitedHexStretch(byte[] t, int i) {
        return nextStretchByWords(t, i, ' ', 'g', C_HEX_DELIM, MIN_DELIMITED_HEX);
    }

    /**
     * The skip loop for a class with no member below {@code lo} or at/above {@code hi} (both ASCII). A gap
     * of at least 15 bytes between sure breakers holds a whole word of the loop's grid free of them (a
     * "clean" word), so with {@code min >= 16} only a gap around clean words can hold a stretch: a word
     * with a sure breaker after another such word costs one branch (prose has a space in nearly every
     * word), and the gap's bounds are worked out only around clean words.
     */
    private static int nextStretchByWords(byte[] t, int i, int lo, int hi, byte bit, int min) {
        if (min < 16) {
            return nextStretchByEveryWord(t, i, lo, hi, bit, min);
        }
        final long los = lo * ONES;
        final long his = hi * ONES;
        int len = t.length;
        int gapStart = i;     // valid while the previous word was clean (or none was read yet)
        boolean dirty = false; // the previous word held a sure breaker
        long lastMask = 0;
        int k = i;
        while (k + 8 <= len) {
            long x = (long) LONGS.get(t, k);
            long y = x | HIGH;
            long m = (~(y - los) | (y - his) | x) & HIGH;
            if (m == 0) {
                if (dirty) {
                    // the gap starts after the last sure breaker of the previous word
                    gapStart = k - 8 + ((63 - Long.numberOfLeadingZeros(lastMask)) >>> 3) + 1;
                    dirty = false;
                }
            } else {
                if (!dirty) {
                    int first = k + (Long.numberOfTrailingZeros(m) >>> 3);
                    if (first - gapStart >= min) {
                        int r = nextStretch(t, gapStart, first, bit, min);
                        if (r >= 0) {
                            return r;
                        }
                    }
                    dirty = true;
                }
                lastMask = m;
            }
            k += 8;
        }
        if (dirty) {
            gapStart = k - 8 + ((63 - Long.numberOfLeadingZeros(lastMask)) >>> 3) + 1;
        }
        return nextStretch(t, gapStart, len, bit, min);
    }

    /** {@link #nextStretchByWords} working out the gap at every word with a sure breaker (any {@code min}). */
    private static int nextStretchByEveryWord(byte[] t, int i, int lo, int hi, byte bit, int min) {
        final long los = lo * ONES;
        final long his = hi * ONES;
        int len = t.length;
        int gapStart = i; // i's left neighbour is not of the class
        int k = i;
        while (k + 8 <= len) {
            long x = (long) LONGS.get(t, k);
            long y = x | HIGH; // per byte 0x80 + low 7 bits: the subtractions below never borrow across bytes
            // bit 7 of a byte: set when the byte is below lo, at/above hi, or not ASCII
            long m = (~(y - los) | (y - his) | x) & HIGH;
            if (m != 0) {
                int first = k + (Long.numberOfTrailingZeros(m) >>> 3);
                if (first - gapStart >= min) {
                    int r = nextStretch(t, gapStart, first, bit, min);
                    if (r >= 0) {
                        return r;
                    }
                }
                gapStart = k + ((63 - Long.numberOfLeadingZeros(m)) >>> 3) + 1;
            }
            k += 8;
        }
        return nextStretch(t, gapStart, len, bit, min);
    }

    /**
     * The base64 / hex runs worth decoding: {start, end (before '=' padding), end with padding, 1 if hex}.
     * A run is a maximal sequence of base64/base64url alphabet chars (MIME/PEM line breaks allowed after
     * lines of 48+ chars) of at least {@link #MIN_BASE64_RUN} chars that mixes cases or has digits or
     * symbols; it is hex when it is only hex digits, at least {@link #MIN_HEX_RUN} of them, even count.
     */
    static List<int[]> runs(String t) {
        return runs(t.getBytes(StandardCharsets.ISO_8859_1));
    }

    /**
     * As {@link #runs(String)} over the text's Latin-1 bytes (one per char): a char past U+00FF becomes
     * '?', which like every non-ASCII char is of no class the scanner looks for, so runs are the same.
     */
    static List<int[]> runs(byte[] t) {
        int len = t.length;
        List<int[]> found = new ArrayList<>();
        final byte[] cls = CLS;
        int i = 0;
        while (i < len) {
            i = nextBase64Stretch(t, i);
            if (i < 0) {
                break;
            }
            // A maximal run of base64 alphabet chars, allowing MIME/PEM line breaks after long lines.
            int start = i;
            int segStart = i;
            int any = 0;
            int all = C_HEX;
            int chars = 0;
            boolean wrapped = false;
            while (i < len) {
                byte d = t[i];
                int k = cls[d & 0xff];
                if ((k & C_B64) != 0) {
                    any |= k;
                    all &= k;
                    chars++;
                    i++;
                } else if ((d == '\n' || d == '\r') && i - segStart >= 48) {
                    int j = i;
                    while (j < len && (t[j] == '\r' || t[j] == '\n') && j - i < 2) {
                        j++;
                    }
                    if (j < len && (cls[t[j] & 0xff] & C_B64) != 0) {
                        i = j;
                        segStart = j;
                        wrapped = true;
                    } else {
                        break;
                    }
                } else {
                    break;
                }
            }
            int end = i;
            while (i < len && t[i] == '=' && i - end < 2) {
                i++;
            }
            int runEnd = i;
            boolean varied = (any & C_MIXED) != 0 || ((any & C_LOWER) != 0 && (any & C_UPPER) != 0);
            if (chars < MIN_BASE64_RUN || !varied) {
                continue;
            }
            // a wrapped run is never hex: hex digits are decoded in pairs with nothing between them
            boolean hex = (all & C_HEX) != 0 && chars >= MIN_HEX_RUN && chars % 2 == 0 && !wrapped;
            found.add(new int[] {start, end, runEnd, hex ? 1 : 0});
        }
        return found;
    }

    private void decodeBase64Run(TextView v, byte[] t, int start, int end, int runEnd, List<TextView> out) {
        // The run may not start on a base64 quantum when something was glued in front: try the shifts.
        // Each alignment is decoded only as far as it can still be text; the binary fallback (printable
        // strings of the first alignment) is decoded in full only when no alignment is text.
        int shifts = end - start <= 4096 ? 4 : 1;
        for (int shift = 0; shift < shifts; shift++) {
            byte[] bytes = decodeBase64Text(t, start, end, shift);
            if (bytes != null && bytes.length > 0) {
                out.add(view(v, new String(bytes, StandardCharsets.UTF_8), start, runEnd, "base64"));
                return;
            }
        }
        binaryStrings(v, decodeBase64(t, start, end, 0), start, runEnd, "base64", out);
    }

    private boolean addDecoded(TextView v, byte[] bytes, int start, int end, String layer, List<TextView> out) {
        if (bytes.length == 0) {
            return false;
        }
        if (isText(bytes)) {
            out.add(view(v, new String(bytes, StandardCharsets.UTF_8), start, end, layer));
            return true;
        }
        return false;
    }

    /**
     * Printable ASCII runs of binary data, like {@code strings}: a secret may hide after binary junk;
     * and UTF-16 text (little and big endian, either byte alignment: {@code strings -el / -eb}), where
     * every ASCII char comes with a zero byte.
     */
    private void binaryStrings(TextView v, byte[] bytes, int start, int end, String layer, List<TextView> out) {
        if (bytes == null) {
            return;
        }
        utf16Strings(v, bytes, start, end, layer, out);
        int runStart = -1;
        for (int k = 0; k <= bytes.length; k++) {
            boolean printable = k < bytes.length && bytes[k] >= 0x20 && bytes[k] < 0x7f;
            if (printable) {
                if (runStart < 0) {
                    runStart = k;
                }
            } else {
                if (runStart >= 0 && k - runStart >= MIN_BINARY_STRING) {
                    out.add(view(v, new String(bytes, runStart, k - runStart, StandardCharsets.ISO_8859_1),
                            start, end, layer + "-strings"));
                }
                runStart = -1;
            }
        }
    }

    private void utf16Strings(TextView v, byte[] bytes, int start, int end, String layer, List<TextView> out) {
        int zeros = 0;
        for (byte by : bytes) {
            if (by == 0) {
                zeros++;
            }
        }
        if (zeros < MIN_BINARY_STRING) {
            return; // UTF-16 ASCII text has a zero byte per char
        }
        for (int big = 0; big < 2; big++) {
            for (int align = 0; align < 2; align++) {
                StringBuilder run = new StringBuilder();
                for (int k = align; ; k += 2) {
                    boolean more = k + 1 < bytes.length;
                    if (more) {
                        int c = bytes[big == 0 ? k : k + 1];
                        int z = bytes[big == 0 ? k + 1 : k];
                        if (z == 0 && c >= 0x20 && c < 0x7f) {
                            run.append((char) c);
                            continue;
                        }
                    }
                    if (run.length() >= MIN_BINARY_STRING) {
                        out.add(view(v, run.toString(), start, end, layer + (big == 0 ? "-utf16le" : "-utf16be")));
                    }
                    run.setLength(0);
                    if (!more) {
                        break;
                    }
                }
            }
        }
    }

    /** Chars of the shortest delimited hex worth decoding: 16 pairs and 15 delimiters. */
    static final int MIN_DELIMITED_HEX = MIN_HEX_RUN / 2 * 3 - 1;

    /**
     * Hex bytes separated by one consistent delimiter: {@code 41-4b-49} or {@code 41:4b:49}. Such a run
     * consists of hex digits and delimiters only, so only stretches of at least
     * {@link #MIN_DELIMITED_HEX} such chars are examined (found by the skip loop).
     */
    private void decodeDelimitedHex(TextView v, byte[] t, List<TextView> out) {
        int len = t.length;
        int from = 0;
        while ((from = nextDelimitedHexStretch(t, from)) >= 0) {
            int to = from;
            while (to < len && (CLS[t[to] & 0xff] & C_HEX_DELIM) != 0) {
                to++;
            }
            decodeDelimitedHex(v, from, to, out);
            from = to;
        }
    }

    /** Delimited hex within the stretch [from, to) of hex digits and delimiters. */
    private void decodeDelimitedHex(TextView v, int from, int to, List<TextView> out) {
        String t = v.text();
        int len = t.length();
        int i = from;
        while (i + 2 < len && i < to) {
            char d = t.charAt(i + 2);
            if (hex(t.charAt(i)) >= 0 && hex(t.charAt(i + 1)) >= 0 && (d == '-' || d == ':' || d == ' ' || d == ',')
                    && (i == 0 || hex(t.charAt(i - 1)) < 0)) {
                int j = i;
                int pairs = 0;
                int lastPair = i;
                java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
                while (j + 1 < len && hex(t.charAt(j)) >= 0 && hex(t.charAt(j + 1)) >= 0
                        && (j + 2 >= len || t.charAt(j + 2) == d || hex(t.charAt(j + 2)) < 0)) {
                    bytes.write(hex(t.charAt(j)) * 16 + hex(t.charAt(j + 1)));
                    pairs++;
                    lastPair = j;
                    if (j + 2 < len && t.charAt(j + 2) == d) {
                        j += 3;
                    } else {
                        j += 2;
                        break;
                    }
                }
                if (pairs >= MIN_HEX_RUN / 2) {
                    byte[] decoded = bytes.toByteArray();
                    if (!addDecoded(v, decoded, i, j, "hex", out)) {
                        binaryStrings(v, decoded, i, j, "hex", out); // as for plain hex runs
                    }
                    i = j;
                    continue;
                }
                // The last pair may start a run with another delimiter ("ab 41:4b:..."); no earlier
                // pair can (it is followed by this run's delimiter).
                i = Math.max(i + 1, lastPair);
            } else {
                i++;
            }
        }
    }

    private static TextView view(TextView parent, String text, int start, int end, String layer) {
        int[] span = parent.originalSpan(start, end);
        return TextView.collapsed(text, span[0], span[1], parent.depth() + 1, layer);
    }

    /** Whether decoded bytes look like text: valid UTF-8, almost no control characters. */
    static boolean isText(byte[] bytes) {
        int bad = 0;
        int allowed = bytes.length / 20;
        for (byte by : bytes) {
            int u = by & 0xff;
            if ((u < 0x20 && u != '\n' && u != '\r' && u != '\t') || u == 0x7f) {
                if (++bad > allowed) {
                    return false;
                }
            }
        }
        return bytes.length > 0 && validUtf8(bytes);
    }

    /**
     * Strict UTF-8 validity (Unicode table 3-7: no overlongs, surrogates or code points past U+10FFFF),
     * as the JDK decoder with {@code REPORT} judges it, without a decoder or an exception per binary run.
     */
    static boolean validUtf8(byte[] b) {
        int n = b.length;
        int i = 0;
        while (i < n) {
            int c = b[i] & 0xff;
            if (c < 0x80) {
                i++;
                continue;
            }
            int need;
            int lo = 0x80;
            int hi = 0xBF;
            if (c >= 0xC2 && c <= 0xDF) {
                need = 1;
            } else if (c >= 0xE0 && c <= 0xEF) {
                need = 2;
                if (c == 0xE0) {
                    lo = 0xA0;
                } else if (c == 0xED) {
                    hi = 0x9F;
                }
            } else if (c >= 0xF0 && c <= 0xF4) {
                need = 3;
                if (c == 0xF0) {
                    lo = 0x90;
                } else if (c == 0xF4) {
                    hi = 0x8F;
                }
            } else {
                return false;
            }
            if (i + need >= n) { // truncated sequence
                return false;
            }
            int second = b[i + 1] & 0xff;
            if (second < lo || second > hi) {
                return false;
            }
            for (int k = 2; k <= need; k++) {
                int cont = b[i + k] & 0xff;
                if (cont < 0x80 || cont > 0xBF) {
                    return false;
                }
            }
            i += need + 1;
        }
        return true;
    }

    /**
     * {@link #decodeBase64}, or null as soon as the bytes decoded so far cannot be text by
     * {@link #isText}: more control characters than it allows for the whole result, or a byte that breaks
     * UTF-8 (the same strict rules as {@link #validUtf8}). Most binary runs fail within a few bytes.
     */
    static byte[] decodeBase64Text(String run, int shift) {
        return decodeBase64Text(run.getBytes(StandardCharsets.ISO_8859_1), 0, run.length(), shift);
    }

    /** As {@link #decodeBase64Text(String, int)} over the Latin-1 bytes [from, to) of a view. */
    static byte[] decodeBase64Text(byte[] run, int from, int to, int shift) {
        // Most runs fail within a few bytes: the alphabet chars are counted (for the allowance of control
        // characters) only when a control character shows up, and the output is sized by the run's
        // length (the exact size unless the run holds line breaks).
        int allowed = -1;
        int bad = 0;
        int n = 0;
        byte[] out = new byte[Math.max(0, to - from - shift) * 6 / 8];
        int acc = 0;
        int bits = 0;
        int need = 0;   // continuation bytes still expected by the current UTF-8 sequence
        int lo = 0x80;  // bounds of the next continuation byte
        int hi = 0xBF;
        for (int k = from + shift; k < to; k++) {
            byte c = B64B[run[k] & 0xff];
            if (c == B64_NONE) {
                continue;
            }
            acc = (acc << 6) | c;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                int u = (acc >> bits) & 0xff;
                if (need > 0) {
                    if (u < lo || u > hi) {
                        return null;
                    }
                    need--;
                    lo = 0x80;
                    hi = 0xBF;
                } else if (u >= 0x80) {
                    if (u >= 0xC2 && u <= 0xDF) {
                        need = 1;
                    } else if (u >= 0xE0 && u <= 0xEF) {
                        need = 2;
                        lo = u == 0xE0 ? 0xA0 : 0x80;
                        hi = u == 0xED ? 0x9F : 0xBF;
                    } else if (u >= 0xF0 && u <= 0xF4) {
                        need = 3;
                        lo = u == 0xF0 ? 0x90 : 0x80;
                        hi = u == 0xF4 ? 0x8F : 0xBF;
                    } else {
                        return null;
                    }
                } else if ((u < 0x20 && u != '\n' && u != '\r' && u != '\t') || u == 0x7f) {
                    if (allowed < 0) {
                        int chars = 0;
                        for (int j = from + shift; j < to; j++) {
                            if (B64B[run[j] & 0xff] != B64_NONE) {
                                chars++;
                            }
                        }
                        allowed = chars * 6 / 8 / 20;
                    }
                    if (++bad > allowed) {
                        return null;
                    }
                }
                out[n++] = (byte) u;
            }
        }
        return need > 0 ? null : n == out.length ? out : java.util.Arrays.copyOf(out, n);
    }

    static byte[] decodeBase64(String run, int shift) {
        return decodeBase64(run.getBytes(StandardCharsets.ISO_8859_1), 0, run.length(), shift);
    }

    static byte[] decodeBase64(byte[] run, int from, int to, int shift) {
        int n = 0;
        byte[] out = new byte[(to - from) * 3 / 4 + 3];
        int acc = 0;
        int bits = 0;
        for (int k = from + shift; k < to; k++) {
            byte c = B64B[run[k] & 0xff];
            if (c == B64_NONE) {
                continue; // line breaks inside a wrapped run
            }
            acc = (acc << 6) | c;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                out[n++] = (byte) (acc >> bits);
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    static byte[] decodeHex(String run) {
        byte[] out = new byte[run.length() / 2];
        for (int k = 0; k < out.length; k++) {
            out[k] = (byte) (hex(run.charAt(2 * k)) * 16 + hex(run.charAt(2 * k + 1)));
        }
        return out;
    }

    // ---- small helpers ---------------------------------------------------------------------------

    static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private static int hex4(String t, int at) {
        if (at + 4 > t.length()) {
            return -1;
        }
        return parseHex(t, at, at + 4);
    }

    private static int parseHex(String t, int from, int to) {
        if (to <= from || to - from > 8) {
            return -1;
        }
        int v = 0;
        for (int k = from; k < to; k++) {
            int h = hex(t.charAt(k));
            if (h < 0) {
                return -1;
            }
            v = v * 16 + h;
        }
        return v;
    }

    private static int parseDec(String t, int from, int to) {
        if (to <= from || to - from > 7) {
            return -1;
        }
        int v = 0;
        for (int k = from; k < to; k++) {
            char c = t.charAt(k);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
