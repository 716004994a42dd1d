package bot.bottle.backend.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import bot.bottle.agent.testing.Docker;
import bot.bottle.agent.testing.Loopback;
import bot.bottle.agent.testing.StandInApi;
import bot.bottle.itests.BottleRuns;

/**
 * A DLP detector dropped into the host's {@code contrib/} (signed, trusted) scans a bottle's traffic:
 * the Docker backend hands the detector jars and the host's trust to the sidecar, whose kernel verifies
 * and loads them. The agent (a script in a bottle's own Dockerfile) posts a clean value and a
 * {@code CUST-} id that only the contrib {@code customer_id} detector knows; the first reaches the
 * stand-in upstream, the second is refused by the proxy and never arrives.
 */
class ContribDetectorBottleTest {
    private static final String HOST = "api.contrib.test";

    @TempDir
    Path tmp;

    @Test
    void aContribDetectorDroppedOnTheHostGuardsTheBottle() throws Exception {
        Loopback.assumeImages();
        assumeTrue(Files.isDirectory(BottleRuns.dist().resolve("bundle")), "no built distribution");
        InetAddress bridge = BottleRuns.bridgeAddress().orElse(null);
        assumeTrue(bridge != null, "no docker0 bridge with an IPv4 address: the stand-in listens there");
        Path jar = Path.of(System.getProperty("bot.bottle.example.bundle", "")).toAbsolutePath();
        assertTrue(Files.isRegularFile(jar), "the example contrib detector bundle " + jar);

        Path home = Files.createDirectories(tmp.resolve("home"));
        BottleRuns.dropSigned(home, jar, "customerid", tmp);
        Path image = Files.createDirectories(home.resolve("bottles/contrib-dlp"));
        // The agent: curl, and a "claude" that posts both values and prints what it got back.
        Files.writeString(image.resolve("Dockerfile"), "ARG BASE=bot-bottle/base:bookworm\nFROM ${BASE}\n"
                + "RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends"
                + " curl ca-certificates && rm -rf /var/lib/apt/lists/*\n"
                + "RUN printf '#!/bin/sh\\ncase \"$1\" in mcp) exit 0;; esac\\n"
                + "for v in clean-0001 CUST-12345678; do echo \"RESULT $v $(curl -s -o /dev/null -w %%{http_code}"
                + " -X POST --data id=$v https://" + HOST + "/upload?id=$v)\"; done\\n' > /usr/local/bin/claude"
                + " && chmod 755 /usr/local/bin/claude\n");
        Files.writeString(home.resolve("bottles/contrib-dlp.md"), "---\nagent_provider:\n  template: claude\n"
                + "  dockerfile: contrib-dlp/Dockerfile\nsupervise: false\negress:\n  routes:\n    - host: " + HOST
                + "\n      outbound_on_match: block\n---\nA bottle guarded by a contrib detector.\n");
        Files.createDirectories(home.resolve("agents"));
        Files.writeString(home.resolve("agents/contrib-dlp.md"), "---\nbottle: contrib-dlp\n---\nPost.\n");

        Path log = tmp.resolve("start.out");
        try (StandInApi api = StandInApi.start(HOST, bridge, Files.createDirectories(tmp.resolve("api")), 200)) {
            ProcessBuilder pb = new ProcessBuilder(BottleRuns.launcher().toString(), "start", "contrib-dlp")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
            pb.environment().put("BOT_BOTTLE_HOME", home.toString());
            pb.environment().put("BOT_BOTTLE_DIST", BottleRuns.dist().toString());
            pb.environment().put("BOT_BOTTLE_UPSTREAM_CA", api.caPem().toString());
            pb.environment().put("BOT_BOTTLE_JAVA_OPTS", "-Dbot.bottle.docker.sidecar.opts=-Dbot.bottle.egress.resolve="
                    + HOST + ":443:" + bridge.getHostAddress());
            Process start = pb.start();
            boolean done = start.waitFor(10, TimeUnit.MINUTES);
            if (!done) {
                start.destroy();
                start.waitFor(60, TimeUnit.SECONDS);
            }
            String out = Files.readString(log, StandardCharsets.UTF_8);
            String diag = "\nlauncher:\n" + Docker.tail(out, 4000) + "\nseen: " + api.seen();
            assertTrue(done, "the bottle ran to its end" + diag);
            assertTrue(out.contains("contrib detectors for the sidecar: customerid.jar"), diag);
            assertTrue(out.contains("RESULT clean-0001 200"), "the clean value passes" + diag);
            assertTrue(out.contains("RESULT CUST-12345678 403"), "the contrib detector refuses the id" + diag);
            assertEquals(0, start.exitValue(), diag);
            assertEquals(1, api.seen().size(), "only the clean post arrived" + diag);
            for (StandInApi.Seen s : api.seen()) {
                assertFalse(s.path().contains("CUST-"), diag);
            }
        }
    }
}
