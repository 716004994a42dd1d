package bot.bottle.backend.docker.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InternalSubnetTest {

    @Test
    void blocksAreAligned28sOfTheBenchmarkingRangeWithFixedSidecarAndAgent() {
        Random r = new Random(7);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 2_000; i++) {
            InternalSubnet s = InternalSubnet.random(r, List.of());
            String[] q = s.cidr().replace("/28", "").split("\\.");
            assertEquals("198", q[0]);
            assertTrue(q[1].equals("18") || q[1].equals("19"), s.cidr());
            assertEquals(0, Integer.parseInt(q[3]) % 16, s.cidr());
            String prefix = q[0] + "." + q[1] + "." + q[2] + ".";
            assertEquals(prefix + (Integer.parseInt(q[3]) + 2), s.sidecar());
            assertEquals(prefix + (Integer.parseInt(q[3]) + 3), s.agent());
            seen.add(s.cidr());
        }
        assertTrue(seen.size() > 1_500, "spread over the pool: " + seen.size());
    }

    @Test
    void blocksTheHostRoutesAreSkipped(@TempDir Path dir) throws Exception {
        // a fake-IP VPN routing 198.18.0.0/16 through its tunnel, a LAN, and the default route
        Path route = dir.resolve("route");
        Files.writeString(route, String.join("\n",
                "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT",
                "eth0\t00000000\t0100A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0",
                "eth0\t0000A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0",
                "utun\t000012C6\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0", ""));
        List<long[]> routes = InternalSubnet.hostRoutes(route);
        assertEquals(2, routes.size(), "the default route is not an obstacle");
        assertEquals(0xC0A80000L, routes.get(0)[0]);
        assertEquals(0xFFFFFF00L, routes.get(0)[1]);
        Random r = new Random(11);
        for (int i = 0; i < 500; i++) {
            assertTrue(InternalSubnet.random(r, routes).cidr().startsWith("198.19."));
        }
        assertTrue(InternalSubnet.hostRoutes(dir.resolve("absent")).isEmpty());
    }

    @Test
    void aHostRoutingTheWholePoolFailsWithOneLine() {
        List<long[]> all = List.of(new long[] {0xC6120000L, 0xFFFE0000L}); // 198.18.0.0/15
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> InternalSubnet.random(new Random(1), all));
        assertFalse(e.getMessage().contains("\n"));
        assertTrue(e.getMessage().contains("198.18.0.0/15"));
    }

    @Test
    void overlapIsDecidedByTheCoarserMask() {
        InternalSubnet s = new InternalSubnet((198 << 24) | (18 << 16) | (5 << 8) | 32); // 198.18.5.32/28
        assertTrue(s.overlaps(new long[] {0xC6120520L, 0xFFFFFFFFL}), "a host route inside the block");
        assertTrue(s.overlaps(new long[] {0xC6120000L, 0xFFFF0000L}), "a wider route around it");
        assertFalse(s.overlaps(new long[] {0xC6120530L, 0xFFFFFFF0L}), "the next block");
    }
}
