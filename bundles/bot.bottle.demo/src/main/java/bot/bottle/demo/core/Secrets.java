package bot.bottle.demo.core;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.zip.CRC32;

/**
 * The demo's fake secrets: well-formed enough that the default DLP rules treat them as real (a GitHub
 * classic token with a valid checksum is a HIGH finding), random so nothing real is ever at stake.
 */
public final class Secrets {
    private static final String BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final SecureRandom RANDOM = new SecureRandom();

    private Secrets() {
    }

    /** A GitHub classic personal access token: {@code ghp_}, 30 random base62 chars, their base62 CRC32. */
    public static String githubClassicToken() {
        StringBuilder body = new StringBuilder(30);
        for (int i = 0; i < 30; i++) {
            body.append(BASE62.charAt(RANDOM.nextInt(62)));
        }
        return "ghp_" + body + base62Crc32(body.toString());
    }

    /** GitHub's checksum: CRC32 of the 30 random chars, in base62, left-padded with '0' to 6 chars. */
    static String base62Crc32(String s) {
        CRC32 crc = new CRC32();
        crc.update(s.getBytes(StandardCharsets.US_ASCII));
        long v = crc.getValue();
        char[] out = new char[6];
        for (int k = 5; k >= 0; k--) {
            out[k] = BASE62.charAt((int) (v % 62));
            v /= 62;
        }
        return new String(out);
    }

    /** The token the stand-in API expects: the proxy injects it, the agent never sees it. */
    public static String apiToken() {
        byte[] b = new byte[24];
        RANDOM.nextBytes(b);
        return "demo_" + HexFormat.of().formatHex(b);
    }

    /** A short random hex string (slug suffixes). */
    public static String hex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    public static String base64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** A DNS label carrying part of a secret, as an exfiltrating agent would encode it (hex, 63 chars max). */
    public static String dnsLabel(String secret) {
        String h = HexFormat.of().formatHex(secret.getBytes(StandardCharsets.UTF_8));
        return h.length() > 62 ? h.substring(0, 62) : h;
    }

    /** Shows that a value is there without printing all of it. */
    public static String mask(String value) {
        if (value == null || value.length() < 12) {
            return "(" + (value == null ? 0 : value.length()) + " chars)";
        }
        return value.substring(0, 8) + "…(" + value.length() + " chars)";
    }
}
