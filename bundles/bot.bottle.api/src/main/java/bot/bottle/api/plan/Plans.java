package bot.bottle.api.plan;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Copy helpers shared by the plan records (package-private: not API). */
final class Plans {
    private Plans() {
    }

    /** An unmodifiable copy sorted by key, so serialisation and equality never depend on input order. */
    static Map<String, String> sortedMap(Map<String, String> in) {
        return Collections.unmodifiableMap(new TreeMap<>(in));
    }

    /** {@code null} stays {@code null} (meaning "defaults"); anything else is copied. */
    static List<String> copyOrNull(List<String> in) {
        return in == null ? null : List.copyOf(in);
    }

    static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
