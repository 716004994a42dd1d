package bot.bottle.gitgate.scan;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Last line of defence for everything the gate prints or queues: removes every value a detector matched
 * in this push (held in memory only for the push), wherever it appears, and strips terminal control
 * characters and bidi controls so a file name cannot repaint an operator's screen.
 */
public final class Redactor {

    public static final String MARK = "[REDACTED]";
    /** Matches shorter than this are not searched for: they would blank out ordinary words. */
    private static final int MIN_LEN = 6;

    private final List<String> values;

    private Redactor(List<String> values) {
        this.values = values;
    }

    public static Redactor of(Set<String> matched) {
        List<String> v = new ArrayList<>();
        for (String s : new LinkedHashSet<>(matched)) {
            if (s != null && s.strip().length() >= MIN_LEN) {
                v.add(s);
            }
        }
        // longest first, so a value that contains another is removed whole
        v.sort(Comparator.comparingInt(String::length).reversed());
        return new Redactor(List.copyOf(v));
    }

    public static Redactor none() {
        return new Redactor(List.of());
    }

    public String apply(String text) {
        String t = text;
        for (String v : values) {
            if (t.contains(v)) {
                t = t.replace(v, MARK);
            }
        }
        return clean(t);
    }

    /** Control characters become '?', bidi and other invisible format characters are dropped. */
    public static String clean(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            int type = Character.getType(cp);
            if (cp == '\t') {
                b.append(' ');
            } else if (Character.isISOControl(cp)) {
                b.append('?');
            } else if (type == Character.FORMAT || type == Character.SURROGATE || type == Character.UNASSIGNED
                    || type == Character.PRIVATE_USE) {
                // bidi overrides, zero-width characters, tag characters: never shown
                continue;
            } else {
                b.appendCodePoint(cp);
            }
        }
        return b.toString();
    }
}
