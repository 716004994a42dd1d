package bot.bottle.demo.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stand-in upstream over real TLS on loopback, checked with curl as the egress proxy would connect. */
class StandInTest {

    private static Result curl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "10"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        return new Result(p.exitValue(), out);
    }

    record Result(int exit, String out) {
    }

    @Test
    void servesBothDemoHostsWithTheDemoCaAndRecordsTheAuthorization(@TempDir Path dir) throws Exception {
        DemoCa ca = DemoCa.create(List.of(DemoPlan.API_HOST, DemoPlan.NEW_HOST));
        Path pem = dir.resolve("ca.pem");
        Files.writeString(pem, ca.caPem());
        try (StandIn s = StandIn.start(new InetSocketAddress("127.0.0.1", 0), ca.serverContext())) {
            int port = s.port();
            Result ok = curl("--cacert", pem.toString(), "--resolve", DemoPlan.API_HOST + ":" + port + ":127.0.0.1",
                    "-H", "Authorization: Bearer real-token", "-d", "x=1",
                    "https://" + DemoPlan.API_HOST + ":" + port + "/v1/hello?q=1");
            assertEquals(0, ok.exit(), ok.out());
            assertTrue(ok.out().contains("\"stand_in\":\"" + DemoPlan.API_HOST), ok.out());
            Result other = curl("--cacert", pem.toString(), "--resolve", DemoPlan.NEW_HOST + ":" + port + ":127.0.0.1",
                    "https://" + DemoPlan.NEW_HOST + ":" + port + "/");
            assertEquals(0, other.exit(), other.out());

            // controls: a name outside the leaf, and a client without the demo CA, both fail verification
            Result wrongName = curl("--cacert", pem.toString(), "--resolve", "evil.test:" + port + ":127.0.0.1",
                    "https://evil.test:" + port + "/");
            assertNotEquals(0, wrongName.exit(), wrongName.out());
            Result noCa = curl("--resolve", DemoPlan.API_HOST + ":" + port + ":127.0.0.1",
                    "https://" + DemoPlan.API_HOST + ":" + port + "/");
            assertNotEquals(0, noCa.exit(), noCa.out());

            List<StandIn.Seen> seen = s.seen("/v1/hello");
            assertEquals(1, seen.size());
            assertEquals("Bearer real-token", seen.get(0).authorization());
            assertEquals("POST", seen.get(0).method());
            assertEquals("x=1", seen.get(0).body());
            assertEquals(2, s.seen().size(), "the refused handshakes never became requests");
        }
    }
}
