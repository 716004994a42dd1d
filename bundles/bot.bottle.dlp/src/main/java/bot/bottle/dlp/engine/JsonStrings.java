package bot.bottle.dlp.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds the string values of a JSON document (strings not used as object keys), tolerating broken
 * JSON: used to join field values so a value split across fields is still found.
 */
final class JsonStrings {
    private static final int MAX_VALUES = 100_000;

    private JsonStrings() {
    }

    /** Spans {start, end} of string values (without quotes), or null when the text is not JSON-shaped. */
    static List<int[]> values(String t) {
        int i = 0;
        int len = t.length();
        while (i < len && Character.isWhitespace(t.charAt(i))) {
            i++;
        }
        if (i >= len || (t.charAt(i) != '{' && t.charAt(i) != '[')) {
            return null;
        }
        // presized: a typical JSON body has a string value every few dozen chars
        List<int[]> out = new ArrayList<>(Math.min(4096, len >> 5) + 16);
        // indexOf (vectorised by the JDK) finds each quote; a quote closes a string unless an odd number
        // of backslashes precedes it inside the string (a backslash escapes the next char).
        while (i < len) {
            int open = t.indexOf('"', i);
            if (open < 0) {
                break;
            }
            int start = open + 1;
            int j = start;
            int end;
            while (true) {
                int q = t.indexOf('"', j);
                if (q < 0) {
                    // unterminated: the string runs to the end, unless the last char is escaped past it
                    end = len;
                    break;
                }
                int b = q - 1;
                while (b >= start && t.charAt(b) == '\\') {
                    b--;
                }
                if (((q - 1 - b) & 1) == 0) {
                    end = q;
                    break;
                }
                j = q + 1;
            }
            int k = end + 1;
            while (k < len && Character.isWhitespace(t.charAt(k))) {
                k++;
            }
            boolean isKey = k < len && t.charAt(k) == ':';
            if (!isKey && end > start) {
                out.add(new int[] {start, end});
                if (out.size() > MAX_VALUES) {
                    return out;
                }
            }
            i = end + 1;
        }
        return out;
    }
}
