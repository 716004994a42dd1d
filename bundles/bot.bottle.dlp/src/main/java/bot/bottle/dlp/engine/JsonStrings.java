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
        List<int[]> out = new ArrayList<>();
        while (i < len) {
            char c = t.charAt(i);
            if (c != '"') {
                i++;
                continue;
            }
            int start = i + 1;
            int j = start;
            while (j < len && t.charAt(j) != '"') {
                if (t.charAt(j) == '\\') {
                    j++;
                }
                j++;
            }
            int end = Math.min(j, len);
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
