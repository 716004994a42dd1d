package bot.bottle.egress.proxy;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Set;

/**
 * Which resolved addresses an upstream connection may go to (SECURITY-NOTES 1). The allowlist is
 * decided on the host name first; this check runs after the one DNS lookup, on the address actually
 * connected to, so DNS rebinding cannot move an allowed name onto an internal service.
 */
public final class AddressPolicy {
    private AddressPolicy() {
    }

    /** Cloud metadata endpoints: refused always, even when a pin names them. */
    private static final Set<String> METADATA = Set.of("169.254.169.254", "169.254.170.2", "169.254.169.253",
            "100.100.100.200", "168.63.129.16", "192.0.0.192", "fd00:ec2:0:0:0:0:0:254");

    /** Whether the address is a metadata endpoint. */
    public static boolean metadata(InetAddress a) {
        return METADATA.contains(canonical(a).getHostAddress());
    }

    /**
     * Returns a reason when the address is private, loopback, link-local, unspecified, multicast,
     * carrier-grade NAT, benchmark or otherwise non-public; {@code null} when public.
     */
    public static String nonPublic(InetAddress raw) {
        InetAddress a = canonical(raw);
        if (metadata(a)) {
            return "a cloud metadata address";
        }
        if (a.isLoopbackAddress()) {
            return "a loopback address";
        }
        if (a.isAnyLocalAddress()) {
            return "the unspecified address";
        }
        if (a.isLinkLocalAddress()) {
            return "a link-local address";
        }
        if (a.isSiteLocalAddress()) {
            return "a private address";
        }
        if (a.isMulticastAddress()) {
            return "a multicast address";
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int o0 = b[0] & 0xff;
            int o1 = b[1] & 0xff;
            if (o0 == 0 || o0 >= 240) {
                return "a reserved address";
            }
            if (o0 == 100 && o1 >= 64 && o1 <= 127) {
                return "a carrier-grade NAT address";
            }
            if (o0 == 198 && (o1 == 18 || o1 == 19)) {
                return "a benchmarking address";
            }
            if (o0 == 192 && o1 == 0 && (b[2] & 0xff) == 0) {
                return "an IETF protocol address";
            }
        } else if (a instanceof Inet6Address) {
            int first = b[0] & 0xff;
            if ((first & 0xfe) == 0xfc) {
                return "a unique-local address";
            }
            if (first == 0x20 && (b[1] & 0xff) == 0x01 && (b[2] & 0xff) == 0x0d && (b[3] & 0xff) == 0xb8) {
                return "a documentation address";
            }
        }
        return null;
    }

    /** IPv4-mapped and IPv4-compatible IPv6 addresses are judged as the IPv4 address they carry. */
    static InetAddress canonical(InetAddress a) {
        if (a instanceof Inet6Address) {
            byte[] b = a.getAddress();
            boolean zero10 = true;
            for (int i = 0; i < 10; i++) {
                zero10 &= b[i] == 0;
            }
            if (zero10 && ((b[10] == (byte) 0xff && b[11] == (byte) 0xff) || (b[10] == 0 && b[11] == 0 && (b[12] | b[13]) != 0))) {
                try {
                    return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
                } catch (java.net.UnknownHostException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return a;
    }
}
