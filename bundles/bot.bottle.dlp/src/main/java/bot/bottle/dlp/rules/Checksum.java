package bot.bottle.dlp.rules;

import java.util.zip.CRC32;

/**
 * Token checksums that tell real tokens from placeholders (SECURITY-NOTES item 6). A failed checksum
 * lowers a finding's severity; it never silences it.
 */
public enum Checksum {
    NONE,
    /**
     * GitHub {@code ghp_/gho_/ghu_/ghs_/ghr_} and npm {@code npm_} tokens: a 4-char prefix, 30 random
     * base62 chars, then the CRC32 of those 30 chars in base62, left-padded with '0' to 6 chars.
     */
    BASE62_CRC32;

    private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /** Whether the token's checksum is valid (true for {@link #NONE}). */
    public boolean valid(String token) {
        if (this == NONE) {
            return true;
        }
        int us = token.indexOf('_');
        if (us < 0 || token.length() < us + 1 + 36) {
            return false;
        }
        String random = token.substring(us + 1, us + 31);
        String check = token.substring(us + 31, us + 37);
        return base62Crc32(random).equals(check);
    }

    /** The 6-char base62 CRC32 of {@code s}. Public so tests and the corpus generator make valid tokens. */
    public static String base62Crc32(String s) {
        CRC32 crc = new CRC32();
        crc.update(s.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        long v = crc.getValue();
        char[] out = new char[6];
        for (int k = 5; k >= 0; k--) {
            out[k] = BASE62.charAt((int) (v % 62));
            v /= 62;
        }
        return new String(out);
    }

    static Checksum parse(String s, String rule) throws RuleLoadException {
        switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "github":
            case "npm":
            case "base62-crc32":
                return BASE62_CRC32;
            case "none":
                return NONE;
            default:
                throw new RuleLoadException("rule " + rule + ": unknown checksum '" + s + "'");
        }
    }
}
