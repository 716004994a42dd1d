package bot.bottle.backend.docker.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The addresses of a bottle's internal network, fixed before any container starts: the agent's container
 * names the sidecar in its {@code /etc/hosts}, and the engine gives a container its address only when it
 * starts, so with addresses left to the engine the agent could be made only after the sidecar started.
 * Fixed, both containers start side by side.
 *
 * <p>A {@code /28} of {@code 198.18.0.0/15} (RFC 2544, reserved for benchmarking, never routed on the
 * Internet), picked at random: the sidecar is {@code .2}, the agent {@code .3} ({@code .1} is the engine's
 * gateway address, which the bridge does not even get: {@code inhibit_ipv4}). A block that overlaps a route
 * of the host (a VPN's fake-IP range, for instance) is skipped; the engine refuses one another network
 * uses, and the caller tries the next.
 */
record InternalSubnet(int base) {
    private static final int POOL = (198 << 24) | (18 << 16);
    private static final int POOL_BLOCKS = 1 << (32 - 15 - 4); // /28s in a /15
    private static final int BLOCK = 16;

    static InternalSubnet random(RandomGenerator random, List<long[]> avoid) {
        for (int i = 0; i < 64; i++) {
            InternalSubnet s = new InternalSubnet(POOL + random.nextInt(POOL_BLOCKS) * BLOCK);
            if (avoid.stream().noneMatch(s::overlaps)) {
                return s;
            }
        }
        throw new IllegalStateException("no free /28 in 198.18.0.0/15 for the bottle's internal network:"
                + " the host routes all of it");
    }

    String cidr() {
        return dotted(base) + "/28";
    }

    String sidecar() {
        return dotted(base + 2);
    }

    String agent() {
        return dotted(base + 3);
    }

    /** {@code route} as {network, mask} (unsigned 32-bit values in longs). */
    boolean overlaps(long[] route) {
        long net = base & 0xffffffffL;
        long mask = route[1] & 0xfffffff0L; // the coarser of the two masks decides
        return (net & mask) == (route[0] & mask);
    }

    private static String dotted(int a) {
        return ((a >>> 24) & 255) + "." + ((a >>> 16) & 255) + "." + ((a >>> 8) & 255) + "." + (a & 255);
    }

    /**
     * The host's IPv4 routes but the default one, as {network, mask}, from {@code /proc/net/route} (none
     * where it is not readable: on Docker Desktop the engine's routes are not the host's anyway).
     */
    static List<long[]> hostRoutes(Path procNetRoute) {
        List<long[]> routes = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(procNetRoute)) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 8 || f[0].equals("Iface")) {
                    continue;
                }
                try {
                    long dest = littleEndian(f[1]);
                    long mask = littleEndian(f[7]);
                    if (mask != 0) {
                        routes.add(new long[] {dest, mask});
                    }
                } catch (NumberFormatException e) {
                    // not a route line
                }
            }
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
        return routes;
    }

    /** /proc/net/route prints addresses as the host's 32-bit value in hex, little-endian on x86 and arm. */
    private static long littleEndian(String hex) {
        long v = Long.parseLong(hex, 16);
        return ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >> 8) & 0xff00) | ((v >> 24) & 0xff);
    }
}
