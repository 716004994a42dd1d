package bot.bottle.egress.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import bot.bottle.egress.testing.ProxyFixture;
import bot.bottle.egress.testing.ProxyFixture.Run;

/** routes.yaml changes apply live; an invalid file is rejected with a logged reason and the old routes stay. */
class ReloadTest {
    static final String ONE = "log: blocks\nroutes:\n  - host: open.example.test\n"
            + "    dlp: {outbound_detectors: false, inbound_detectors: false}\n";
    static final String TWO = ONE + "  - host: other.example.test\n";

    @TempDir
    Path dir;

    static int status(Run r) {
        String[] lines = r.out().split("\n");
        return Integer.parseInt(lines[lines.length - 1].trim());
    }

    @Test
    void fileChangesApplyAndInvalidFilesAreRejected() throws Exception {
        assumeTrue(ProxyFixture.has("curl"), "curl is not installed");
        try (ProxyFixture fx = new ProxyFixture(dir, ONE, null, HoldDecider.DENY)) {
            assertEquals(403, status(fx.curl(fx.url("other.example.test", "/"))));
            Files.writeString(fx.routes, TWO);
            int code = 0;
            for (int i = 0; i < 100 && code != 200; i++) {
                Thread.sleep(50);
                code = status(fx.curl(fx.url("other.example.test", "/")));
            }
            assertEquals(200, code, "the new route applies without a restart");
            assertTrue(fx.logText().contains("\"event\":\"egress_reload\""), fx.logText());
            assertTrue(fx.curl("http://_egress.local/allowlist").out().contains("other.example.test"));

            Files.writeString(fx.routes, TWO + "  - host: x.example.test\n    colour: red\n");
            boolean rejected = false;
            for (int i = 0; i < 100 && !rejected; i++) {
                Thread.sleep(50);
                rejected = fx.logText().contains("egress_reload_rejected");
            }
            assertTrue(rejected, fx.logText());
            assertTrue(fx.logText().contains("routes[2].colour: unknown key"), fx.logText());
            assertEquals(200, status(fx.curl(fx.url("other.example.test", "/"))), "old routes stay in force");
            assertEquals(2, fx.proxy.routes().routes().size());
        }
    }

    @Test
    void sighupReloadsEvenWithoutPolling() throws Exception {
        assumeTrue(ProxyFixture.has("curl"), "curl is not installed");
        assumeTrue(RoutesWatcher.onSighup(() -> { }), "this JVM offers no sun.misc.Signal: nothing to test");
        try (ProxyFixture fx = new ProxyFixture(dir, ONE, null, HoldDecider.DENY,
                b -> b.reloadInterval(Duration.ofHours(1)).handleSighup(true))) {
            Files.writeString(fx.routes, TWO);
            Thread.sleep(100);
            assertEquals(403, status(fx.curl(fx.url("other.example.test", "/"))), "no polling in this test");
            Run kill = ProxyFixture.run(List.of("kill", "-HUP", String.valueOf(ProcessHandle.current().pid())), null);
            assertEquals(0, kill.exit(), kill.err());
            int code = 0;
            for (int i = 0; i < 100 && code != 200; i++) {
                Thread.sleep(50);
                code = status(fx.curl(fx.url("other.example.test", "/")));
            }
            assertEquals(200, code);
        }
    }
}
