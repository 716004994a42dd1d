package bot.bottle.egress.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import bot.bottle.egress.testing.ProxyFixture;
import bot.bottle.egress.testing.ProxyFixture.Run;

/** Upstream TLS is verified: without the test CA the loopback upstream's certificate is not trusted. */
class UpstreamTrustTest {
    @TempDir
    Path dir;

    @Test
    void untrustedUpstreamIs502AndNothingIsSent() throws Exception {
        assumeTrue(ProxyFixture.has("curl"), "curl is not installed");
        String routes = "routes:\n  - host: api.example.test\n    auth_scheme: Bearer\n    token_env: API_TOKEN\n";
        try (ProxyFixture fx = new ProxyFixture(dir, routes, null, HoldDecider.DENY, b -> b.upstreamCa(null))) {
            Run r = fx.curl(fx.url("api.example.test", "/secret"));
            String[] lines = r.out().split("\n");
            assertEquals("502", lines[lines.length - 1].trim(), r.toString());
            assertTrue(r.out().contains("upstream"), r.out());
            assertTrue(fx.https.received.isEmpty(), "the token must not be sent to an unverified upstream");
        }
    }
}
