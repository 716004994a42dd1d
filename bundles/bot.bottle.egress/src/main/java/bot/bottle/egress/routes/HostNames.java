package bot.bottle.egress.routes;

import java.util.Locale;

/**
 * Host name canonicalisation shared by the routes parser and the proxy, so a route and a request are
 * compared in exactly one form: ASCII lower case, one trailing dot removed. IP literals (in any of the
 * forms a URL parser accepts: dotted, single number, hex, octal, bracketed IPv6) and user info are
 * refused, because a route must name a host, never an address.
 */
public final class HostNames {
    private HostNames() {
    }

    /**
     * Normalises a host name.
     *
     * @return the canonical form
     * @throws IllegalArgumentException with a short reason when the value is not an acceptable name
     */
    public static String normalise(String raw) {
        if (raw == null || raw.isEmpty()) {
            throw new IllegalArgumentException("empty host");
        }
        if (raw.indexOf('@') >= 0) {
            throw new IllegalArgumentException("user info is not allowed in a host");
        }
        if (raw.indexOf('[') >= 0 || raw.indexOf(']') >= 0 || raw.indexOf(':') >= 0) {
            throw new IllegalArgumentException("IP literals and ports are not allowed in a host");
        }
        String h = raw.toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (h.isEmpty() || h.length() > 253) {
            throw new IllegalArgumentException("bad host length");
        }
        String[] labels = h.split("\\.", -1);
        for (String label : labels) {
            if (label.isEmpty() || label.length() > 63) {
                throw new IllegalArgumentException("empty or overlong label in host");
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
                if (!ok) {
                    throw new IllegalArgumentException("host must be ASCII letters, digits, '-', '_' and dots"
                            + " (use punycode for international names)");
                }
            }
            if (label.startsWith("-") || label.endsWith("-")) {
                throw new IllegalArgumentException("host label starts or ends with '-'");
            }
        }
        if (looksNumeric(labels[labels.length - 1])) {
            throw new IllegalArgumentException("IP literals are not allowed as a host");
        }
        return h;
    }

    /** WHATWG "ends in a number": a last label that is decimal or 0x-hex makes the whole host an IPv4. */
    private static boolean looksNumeric(String label) {
        if (label.chars().allMatch(Character::isDigit)) {
            return true;
        }
        if (label.startsWith("0x")) {
            return label.substring(2).chars().allMatch(c -> Character.digit(c, 16) >= 0);
        }
        return false;
    }
}
