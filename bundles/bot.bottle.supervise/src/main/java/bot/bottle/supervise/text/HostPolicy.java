package bot.bottle.supervise.text;

import java.net.IDN;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What supervise will never add to a bottle's routes, whoever approves it (SECURITY-NOTES 1 and 14):
 * cloud metadata endpoints, DNS-over-HTTPS resolvers (they would tunnel DNS past the allowlist), and
 * loopback / private / link-local / special address ranges. Host names are canonicalised first
 * (lower case, no trailing dot, IDNA to punycode) so that look-alike and mixed-case spellings are
 * judged, and shown, as what they really are.
 *
 * <p>Only hosts a proposal adds are judged: a route the operator wrote into the bottle's manifest stays
 * the operator's business.
 */
public final class HostPolicy {

    /** Cloud metadata and instance-identity names. */
    static final Set<String> METADATA_NAMES = Set.of("metadata", "metadata.google.internal", "metadata.goog",
            "instance-data", "instance-data.ec2.internal", "metadata.azure.internal", "metadata.tencentyun.com",
            "metadata.platformequinix.com");

    /** Public DNS-over-HTTPS endpoints; subdomains are refused too. */
    static final Set<String> DOH_NAMES = Set.of("dns.google", "dns.google.com", "dns64.dns.google",
            "cloudflare-dns.com", "one.one.one.one", "1dot1dot1dot1.cloudflare-dns.com", "dns.quad9.net",
            "dns9.quad9.net", "dns10.quad9.net", "dns11.quad9.net", "doh.opendns.com", "dns.opendns.com",
            "doh.familyshield.opendns.com", "dns.nextdns.io", "dns.adguard.com", "dns.adguard-dns.com",
            "doh.cleanbrowsing.org", "doh.mullvad.net", "dns.mullvad.net", "doh.dns.sb", "dns.alidns.com",
            "doh.pub", "dns.controld.com", "freedns.controld.com", "doh.libredns.gr", "dns.twnic.tw");

    /** Resolver addresses that also serve DoH on 443. */
    static final Set<String> DOH_ADDRESSES = Set.of("1.1.1.1", "1.0.0.1", "8.8.8.8", "8.8.4.4", "9.9.9.9",
            "149.112.112.112", "208.67.222.222", "208.67.220.220", "94.140.14.14", "94.140.15.15",
            "2606:4700:4700:0:0:0:0:1111", "2606:4700:4700:0:0:0:0:1001", "2001:4860:4860:0:0:0:0:8888",
            "2001:4860:4860:0:0:0:0:8844", "2620:fe:0:0:0:0:0:fe");

    /** Names that only ever resolve inside a private network. */
    static final Set<String> PRIVATE_SUFFIXES = Set.of("localhost", "local", "internal", "localdomain",
            "home.arpa", "in-addr.arpa", "ip6.arpa", "lan", "intranet");

    private HostPolicy() {
    }

    /**
     * Canonical ASCII form of a route host: lower case, no trailing dot, punycode for IDNs, IPv6
     * without brackets. A leading {@code *.} wildcard is kept.
     *
     * @throws IllegalArgumentException when the name is not a valid host name
     */
    public static String canonical(String host) {
        String h = host.strip();
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        while (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (h.isEmpty()) {
            throw new IllegalArgumentException("empty host");
        }
        if (h.indexOf(':') >= 0) {
            return h.toLowerCase(Locale.ROOT);
        }
        String prefix = "";
        if (h.startsWith("*.")) {
            prefix = "*.";
            h = h.substring(2);
        }
        try {
            return prefix + IDN.toASCII(h, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("host '" + Sanitizer.line(host) + "' is not a valid host name");
        }
    }

    /** The canonical name for display; a punycode name also shows its Unicode form, sanitised. */
    public static String display(String host) {
        String c;
        try {
            c = canonical(host);
        } catch (IllegalArgumentException e) {
            return Sanitizer.line(host) + " (invalid host name)";
        }
        if (!c.contains("xn--")) {
            return c;
        }
        return c + " (IDN: " + Sanitizer.line(IDN.toUnicode(c)) + ")";
    }

    /** Why the host may never be added by supervise, or empty when it may. */
    public static Optional<String> denyReason(String host) {
        String c;
        try {
            c = canonical(host);
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
        String name = c.startsWith("*.") ? c.substring(2) : c;
        if (METADATA_NAMES.contains(name)) {
            return Optional.of(name + " is a cloud metadata endpoint");
        }
        for (String doh : DOH_NAMES) {
            if (name.equals(doh) || name.endsWith("." + doh)) {
                return Optional.of(name + " is a DNS-over-HTTPS resolver");
            }
        }
        for (String suffix : PRIVATE_SUFFIXES) {
            if (name.equals(suffix) || name.endsWith("." + suffix)) {
                return Optional.of(name + " is a private-network name (." + suffix + ")");
            }
        }
        Optional<InetAddress> literal = addressLiteral(name);
        if (literal.isEmpty() && looksNumeric(name)) {
            return Optional.of(name + " is an ambiguous numeric host");
        }
        if (literal.isPresent()) {
            InetAddress a = literal.get();
            String text = a.getHostAddress();
            if (DOH_ADDRESSES.contains(text)) {
                return Optional.of(name + " is a DNS-over-HTTPS resolver address");
            }
            Optional<String> special = specialRange(a.getAddress());
            if (special.isPresent()) {
                return Optional.of(name + " is a " + special.get() + " address");
            }
        }
        return Optional.empty();
    }

    /** A dotted-quad or IPv6 literal, parsed without any DNS lookup. */
    static Optional<InetAddress> addressLiteral(String name) {
        boolean v6 = name.indexOf(':') >= 0;
        boolean v4 = name.matches("(\\d{1,3}\\.){3}\\d{1,3}");
        if (!v6 && !v4) {
            return Optional.empty();
        }
        if (v4) {
            for (String part : name.split("\\.")) {
                if (Integer.parseInt(part) > 255 || (part.length() > 1 && part.startsWith("0"))) {
                    return Optional.empty(); // octal-looking or out of range: ambiguous, refused as such
                }
            }
        }
        if (v6 && !name.matches("[0-9a-f:.%a-z]+")) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(name)); // literals never hit DNS
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    /**
     * Hosts like {@code 2130706433}, {@code 0x7f.1} or {@code 127.1} that inet_aton would read as an
     * address. No real top-level domain is numeric, so a numeric last label is enough to tell.
     */
    private static boolean looksNumeric(String name) {
        String last = name.substring(name.lastIndexOf('.') + 1);
        return name.indexOf(':') >= 0 || last.matches("[0-9]+|0x[0-9a-f]*");
    }

    static Optional<String> specialRange(byte[] addr) {
        if (addr.length == 16) {
            boolean mapped = true;
            for (int i = 0; i < 10; i++) {
                mapped &= addr[i] == 0;
            }
            mapped &= (addr[10] & 0xff) == 0xff && (addr[11] & 0xff) == 0xff;
            boolean nat64 = (addr[0] & 0xff) == 0x00 && (addr[1] & 0xff) == 0x64 && (addr[2] & 0xff) == 0xff
                    && (addr[3] & 0xff) == 0x9b;
            if (mapped || nat64) {
                return specialRange(new byte[] {addr[12], addr[13], addr[14], addr[15]});
            }
            int b0 = addr[0] & 0xff;
            int b1 = addr[1] & 0xff;
            boolean allZeroButLast = true;
            for (int i = 0; i < 15; i++) {
                allZeroButLast &= addr[i] == 0;
            }
            if (allZeroButLast && (addr[15] == 0 || addr[15] == 1)) {
                return Optional.of("loopback/unspecified IPv6");
            }
            if ((b0 & 0xfe) == 0xfc) {
                return Optional.of("unique-local IPv6 (fc00::/7)");
            }
            if (b0 == 0xfe && (b1 & 0xc0) == 0x80) {
                return Optional.of("link-local IPv6 (fe80::/10)");
            }
            if (b0 == 0xff) {
                return Optional.of("multicast IPv6");
            }
            return Optional.empty();
        }
        int a = addr[0] & 0xff;
        int b = addr[1] & 0xff;
        if (a == 0) {
            return Optional.of("'this network' (0.0.0.0/8)");
        }
        if (a == 10) {
            return Optional.of("private (10.0.0.0/8)");
        }
        if (a == 100 && (b & 0xc0) == 64) {
            return Optional.of("carrier-grade NAT (100.64.0.0/10)");
        }
        if (a == 127) {
            return Optional.of("loopback (127.0.0.0/8)");
        }
        if (a == 169 && b == 254) {
            return Optional.of("link-local / metadata (169.254.0.0/16)");
        }
        if (a == 172 && (b & 0xf0) == 16) {
            return Optional.of("private (172.16.0.0/12)");
        }
        if (a == 192 && b == 168) {
            return Optional.of("private (192.168.0.0/16)");
        }
        if (a == 192 && b == 0 && (addr[2] & 0xff) == 0) {
            return Optional.of("IETF protocol (192.0.0.0/24)");
        }
        if (a == 198 && (b & 0xfe) == 18) {
            return Optional.of("benchmarking (198.18.0.0/15)");
        }
        if (a >= 224) {
            return Optional.of("multicast/reserved (224.0.0.0/3)");
        }
        return Optional.empty();
    }
}
