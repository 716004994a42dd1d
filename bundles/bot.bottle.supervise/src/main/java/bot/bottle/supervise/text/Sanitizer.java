package bot.bottle.supervise.text;

/**
 * Makes untrusted text safe to show on a terminal: nothing the agent wrote can move the cursor, recolour,
 * retitle the window, hide text or reorder it (Trojan Source). Instead of silently dropping such
 * characters, they are rendered visibly, so the operator sees that something was there.
 *
 * <ul>
 *   <li>ESC and C0/C1 controls (except newline and tab) become {@code \e}, {@code \xNN}, {@code \u0085};
 *   <li>bidi controls, zero-width and other invisible format characters, tag characters and
 *       noncharacters become {@code <U+XXXX>};
 *   <li>carriage returns become {@code \r} (a bare CR would let a later line overwrite an earlier one).
 * </ul>
 */
public final class Sanitizer {

    private Sanitizer() {
    }

    /** Sanitises multi-line text (newlines and tabs kept). */
    public static String text(String s) {
        return render(s, true);
    }

    /** Sanitises a single-line value: newlines are shown as {@code \n}. */
    public static String line(String s) {
        return render(s, false);
    }

    private static String render(String s, boolean keepNewlines) {
        if (s == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length();) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == '\n') {
                out.append(keepNewlines ? "\n" : "\\n");
            } else if (cp == '\t') {
                out.append(keepNewlines ? "\t" : "\\t");
            } else if (cp == 0x1B) {
                out.append("\\e");
            } else if (cp == '\r') {
                out.append("\\r");
            } else if (cp < 0x20 || cp == 0x7F) {
                out.append(String.format("\\x%02x", cp));
            } else if (cp >= 0x80 && cp <= 0x9F) {
                out.append(String.format("\\u%04x", cp));
            } else if (invisible(cp)) {
                out.append(String.format("<U+%04X>", cp));
            } else {
                out.appendCodePoint(cp);
            }
        }
        return out.toString();
    }

    /** Characters that render as nothing, or reorder what follows. */
    static boolean invisible(int cp) {
        int type = Character.getType(cp);
        if (type == Character.FORMAT || type == Character.UNASSIGNED || type == Character.PRIVATE_USE
                || type == Character.SURROGATE || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR) {
            return true; // Cf covers bidi controls U+202A..202E, U+2066..2069, LRM/RLM, ZWJ, tags, BOM
        }
        return cp == 0x034F // combining grapheme joiner
                || cp == 0x115F || cp == 0x1160 || cp == 0x3164 || cp == 0xFFA0 // Hangul fillers
                || (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xE0100 && cp <= 0xE01EF) // variation selectors
                || (cp & 0xFFFE) == 0xFFFE; // noncharacters
    }
}
