package bot.bottle.backend.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import bot.bottle.api.backend.BottleBackend;
import bot.bottle.api.backend.BottleStatus;
import bot.bottle.api.backend.ExecResult;
import bot.bottle.api.plan.BottlePlan;
import bot.bottle.api.plan.EgressPlan;
import bot.bottle.api.plan.EgressRoute;
import bot.bottle.api.plan.ImageRecipe;
import bot.bottle.api.plan.ProviderPlan;
import bot.bottle.api.plan.TokenSlot;

/**
 * The escape tests every {@link BottleBackend} must pass, run from inside a real agent. A backend's
 * test extends this class and supplies the hooks only it can (reach into its sidecar, kill it, list
 * what it labelled). Nothing here knows about Docker.
 *
 * <p>Each check has a control that proves it could fail: the address the agent must not reach is
 * reachable from the sidecar; the host listener answers on the host.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
public abstract class BackendConformance {
    /** The host variable the test token comes from; its value only ever reaches the sidecar. */
    protected static final String TOKEN_REF = "BB_CONFORMANCE_TOKEN";
    protected static final String TOKEN_SLOT = "EGRESS_TOKEN_1";
    protected static final String ALLOWED_HOST = "upstream.bottle.test";
    protected static final Duration EXEC = Duration.ofSeconds(40);
    protected final String token = "bbtok_" + HexFormat.of().formatHex(random(16));
    protected final String run = HexFormat.of().formatHex(random(3));

    private ServerSocket hostListener;
    private Thread acceptor;
    protected String slugA;
    protected String slugB;

    // ------------------------------------------------------------------ hooks

    /** Null when the backend can run here; otherwise the visible reason the suite is skipped. */
    protected abstract String whyCannotRun();

    /** The backend under test, configured to read {@link #TOKEN_REF} from {@link #hostEnv()}. */
    protected abstract BottleBackend backend();

    /** A command in the bottle's sidecar (the control side of each check). */
    protected abstract ExecResult execInSidecar(String slug, List<String> command) throws Exception;

    /** Crashes the bottle's sidecar the hard way (no clean shutdown). */
    protected abstract void killSidecar(String slug) throws Exception;

    /** The addresses a bottle's agent and sidecar have, for the isolation check. */
    protected abstract List<String> addressesOf(String slug) throws Exception;

    /** Every resource the backend labelled, as printable names (empty after cleanup). */
    protected abstract List<String> labelledResources() throws Exception;

    /** Whether the bottle's sidecar runs the egress proxy (checks of its behaviour skip otherwise). */
    protected abstract boolean egressRunning(String slug) throws Exception;

    /** The agent image recipe (a Dockerfile for container backends) with bash, curl and getent. */
    protected abstract ImageRecipe agentImage();

    protected Map<String, String> hostEnv() {
        return Map.of(TOKEN_REF, token);
    }

    // ------------------------------------------------------------------ fixture

    protected BottlePlan plan(String slug) {
        EgressRoute allowed = new EgressRoute(ALLOWED_HOST, "manifest", "Bearer", TOKEN_SLOT, List.of(), false,
                null, null, "block");
        return BottlePlan.builder().slug(slug).agent("conformance").bottle("conformance")
                .provider(new ProviderPlan("test", "builtin", TOKEN_REF, false))
                .image(agentImage())
                .egress(new EgressPlan("off", List.of(allowed)))
                .tokenSlots(List.of(new TokenSlot(TOKEN_SLOT, TOKEN_REF)))
                .env(Map.of("CONFORMANCE_PLACEHOLDER", "bot-bottle-placeholder"))
                .supervise(false)
                .command(List.of("sleep", "infinity"))
                .build();
    }

    @BeforeAll
    void startBottles() throws Exception {
        String why = whyCannotRun();
        if (why != null) {
            System.err.println("SKIPPED " + getClass().getSimpleName() + ": " + why);
        }
        assumeTrue(why == null, why);
        hostListener = new ServerSocket();
        hostListener.bind(new InetSocketAddress("0.0.0.0", 0));
        acceptor = new Thread(() -> {
            while (!hostListener.isClosed()) {
                try (Socket s = hostListener.accept()) {
                    s.getOutputStream().write("host-listener\n".getBytes());
                } catch (IOException e) {
                    // closed at the end of the suite
                }
            }
        }, "conformance-host-listener");
        acceptor.setDaemon(true);
        acceptor.start();
        slugA = "conf-a-" + run;
        slugB = "conf-b-" + run;
        backend().launch(plan(slugA), false);
        backend().launch(plan(slugB), false);
    }

    @AfterAll
    void stopBottles() throws Exception {
        if (hostListener != null) {
            hostListener.close();
        }
        if (whyCannotRun() == null) {
            for (String s : new String[] {slugA, slugB, "conf-c-" + run, "conf-d-" + run, "conf-e-" + run}) {
                if (s != null) {
                    backend().stop(s);
                }
            }
        }
    }

    protected ExecResult agent(String slug, String script) throws Exception {
        return backend().exec(slug, List.of("bash", "-c", script), EXEC);
    }

    /** A bash snippet that tries a TCP connect to each {@code ip:port}, in parallel, printing the ones that worked. */
    protected static String connectAll(List<String> targets) {
        StringBuilder sb = new StringBuilder();
        for (String t : targets) {
            int c = t.lastIndexOf(':');
            sb.append("(timeout 4 bash -c 'exec 3<>/dev/tcp/").append(t, 0, c).append('/').append(t.substring(c + 1))
                    .append("' 2>/dev/null && echo CONNECTED ").append(t).append(") & ");
        }
        return sb.append("wait").toString();
    }

    /** Every IPv4 address of this host, each with the host listener's port. */
    protected List<String> hostTargets() throws IOException {
        List<String> out = new ArrayList<>();
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                if (a.getAddress().length == 4 && !a.isLoopbackAddress()) {
                    out.add(a.getHostAddress() + ":" + hostListener.getLocalPort());
                }
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ the checks

    @Test
    @Order(1)
    void directConnectionsToHostAndOutsideFail() throws Exception {
        List<String> host = hostTargets();
        assertFalse(host.isEmpty(), "the host has no IPv4 address to test against");
        // control: the sidecar (egress network) reaches the host listener, so the check can fail
        ExecResult control = execInSidecar(slugA, List.of("bash", "-c", connectAll(host)));
        assertTrue(control.stdout().contains("CONNECTED"), "control: the sidecar should reach the host listener: "
                + control);
        List<String> targets = new ArrayList<>(host);
        targets.addAll(List.of("1.1.1.1:443", "8.8.8.8:53", "151.101.2.132:80", "192.0.2.1:80"));
        ExecResult r = agent(slugA, connectAll(targets));
        assertFalse(r.stdout().contains("CONNECTED"), "the agent connected directly: " + r.stdout());
    }

    @Test
    @Order(2)
    void externalNamesDoNotResolve() throws Exception {
        ExecResult sidecarName = agent(slugA, "getent hosts sidecar");
        assertEquals(0, sidecarName.exitCode(), "control: the agent resolves its sidecar: " + sidecarName);
        ExecResult r = agent(slugA, "for n in deb.debian.org example.com exfil-" + run
                + ".attacker.example; do getent ahosts $n && echo RESOLVED $n; done; true");
        assertFalse(r.stdout().contains("RESOLVED"), "an external name resolved in the agent: " + r.stdout());
    }

    @Test
    @Order(3)
    void metadataAddressFails() throws Exception {
        ExecResult direct = agent(slugA, connectAll(List.of("169.254.169.254:80", "169.254.170.2:80")));
        assertFalse(direct.stdout().contains("CONNECTED"), "metadata reached directly: " + direct.stdout());
        if (egressRunning(slugA)) {
            ExecResult viaProxy = agent(slugA,
                    "curl -s -o /dev/null -w '%{http_code}' -m 10 http://169.254.169.254/latest/meta-data/; true");
            assertNotEquals("200", viaProxy.stdout().strip(), "metadata reached through the proxy");
        }
    }

    @Test
    @Order(4)
    void agentEnvironmentHoldsNoToken() throws Exception {
        ExecResult r = agent(slugA, "env; cat /proc/1/environ 2>/dev/null | tr '\\0' '\\n'; cat /proc/1/cmdline; true");
        assertEquals(0, r.exitCode(), r.toString());
        assertFalse(r.stdout().contains(token), "the agent sees the real token");
        assertTrue(r.stdout().contains("HTTPS_PROXY="), "the agent has no proxy setting: " + r.stdout());
        assertTrue(r.stdout().contains("BOT_BOTTLE_CANARY=bbcanary_"), "the agent has no canary");
        ExecResult files = agent(slugA, "grep -rls '" + token + "' /etc /home /tmp /root /var /opt /run 2>/dev/null; true");
        assertEquals("", files.stdout().strip(), "a file in the agent holds the token");
        if (egressRunning(slugA)) {
            // the bottle's CA is what the agent's TLS clients trust (read by path, as they do)
            ExecResult ca = agent(slugA, "head -1 \"$SSL_CERT_FILE\"; head -1 \"$NODE_EXTRA_CA_CERTS\"; "
                    + "test -s \"$(echo $JAVA_TOOL_OPTIONS | sed 's/.*trustStore=\\([^ ]*\\).*/\\1/')\" && echo STORE");
            assertEquals("-----BEGIN CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\nSTORE", ca.stdout().strip(),
                    "the agent's trust settings do not point at the bottle's CA: " + ca);
        }
        // control: the sidecar does hold it
        ExecResult sc = execInSidecar(slugA, List.of("bash", "-c", "env"));
        assertTrue(sc.stdout().contains(TOKEN_SLOT + "=" + token), "control: the sidecar should hold the token");
    }

    @Test
    @Order(5)
    void sidecarStateAndCaKeyAreNotReadable() throws Exception {
        ExecResult r = agent(slugA, "find / -xdev \\( -name ca.key -o -name routes.yaml -o -name plan.json \\) "
                + "2>/dev/null; ls /var/lib/bot-bottle/state 2>/dev/null; true");
        assertEquals("", r.stdout().strip(), "the agent sees sidecar state: " + r.stdout());
        ExecResult viaNet = agent(slugA, "curl -s -m 5 --noproxy '*' http://sidecar:9099/ca.key; "
                + "curl -s -m 5 http://sidecar:9099/ca.key; true");
        assertFalse(viaNet.stdout().contains("PRIVATE KEY"), "the CA key is served to the agent");
        if (egressRunning(slugA)) {
            ExecResult control = execInSidecar(slugA, List.of("bash", "-c",
                    "cat /var/lib/bot-bottle/state/" + slugA + "/egress/ca.key"));
            assertTrue(control.stdout().contains("PRIVATE KEY"), "control: the sidecar holds the CA key");
        }
    }

    @Test
    @Order(6)
    void twoBottlesDoNotSeeEachOther() throws Exception {
        List<String> targets = new ArrayList<>();
        for (String ip : addressesOf(slugB)) {
            for (int port : new int[] {9099, 9100, 9420, 22, 80}) {
                targets.add(ip + ":" + port);
            }
        }
        assertFalse(targets.isEmpty());
        ExecResult r = agent(slugA, connectAll(targets) + "; getent hosts bot-bottle-" + slugB
                + "-sidecar && echo RESOLVED; true");
        assertFalse(r.stdout().contains("CONNECTED"), "bottle A reached bottle B: " + r.stdout());
        assertFalse(r.stdout().contains("RESOLVED"), "bottle A resolves bottle B's sidecar");
    }

    @Test
    @Order(7)
    void disallowedHostGets403() throws Exception {
        assumeTrue(egressRunning(slugA), "the sidecar runs no egress proxy (bundle without its sidecar component)");
        ExecResult r = agent(slugA, "curl -s -o /dev/null -w '%{http_code}' -m 15 http://not-allowed-" + run
                + ".example/; echo; curl -s -o /dev/null -w '%{http_code}' -m 15 https://not-allowed-" + run
                + ".example/ ; true");
        String[] codes = r.stdout().strip().split("\\s+");
        assertEquals("403", codes[0], "plain HTTP to a host outside the routes: " + r);
        assertTrue(codes.length < 2 || !codes[1].equals("200"), "HTTPS to a host outside the routes: " + r);
    }

    @Test
    @Order(8)
    void commitThenResumeKeepsAFile() throws Exception {
        String slug = "conf-c-" + run;
        backend().launch(plan(slug), false);
        assertEquals(0, agent(slug, "echo kept-" + run + " > ~/kept.txt").exitCode());
        backend().commit(slug);
        backend().stop(slug);
        backend().launch(plan(slug), true);
        ExecResult r = agent(slug, "cat ~/kept.txt");
        assertEquals("kept-" + run, r.stdout().strip(), "resume lost the committed file: " + r);
        backend().stop(slug);
        backend().launch(plan(slug), false);
        ExecResult fresh = agent(slug, "cat ~/kept.txt 2>&1; true");
        assertFalse(fresh.stdout().contains("kept-" + run), "control: a fresh start should not have the file");
        backend().stop(slug);
    }

    @Test
    @Order(9)
    void killingTheSidecarCutsTheAgentOff() throws Exception {
        String slug = "conf-d-" + run;
        backend().launch(plan(slug), false);
        ExecResult before = agent(slug, connectAll(List.of("sidecar:9099")));
        boolean proxyServed = before.stdout().contains("CONNECTED");
        killSidecar(slug);
        BottleStatus st = backend().list().stream().filter(s -> s.slug().equals(slug)).findFirst().orElseThrow();
        assertEquals("sidecar-down", st.state(), "list should show the dead sidecar");
        List<String> targets = new ArrayList<>(hostTargets());
        targets.add("sidecar:9099");
        targets.add("1.1.1.1:443");
        ExecResult r = agent(slug, connectAll(targets) + "; curl -s -m 5 -o /dev/null -w '%{http_code}' "
                + "http://" + ALLOWED_HOST + "/ ; true");
        assertFalse(r.stdout().contains("CONNECTED"), "the agent still reaches something: " + r.stdout());
        assertTrue(r.stdout().strip().endsWith("000"), "a request still got an answer: " + r.stdout());
        if (egressRunning(slugA)) {
            assertTrue(proxyServed, "control: the proxy answered before the kill");
        }
        backend().stop(slug);
    }

    @Test
    @Order(100)
    void cleanupLeavesNoLabelledResource() throws Exception {
        backend().launch(plan("conf-e-" + run), false);
        assertFalse(labelledResources().isEmpty(), "control: a running bottle has labelled resources");
        assertTrue(backend().cleanup() > 0);
        assertEquals(List.of(), labelledResources());
        assertEquals(0, backend().cleanup(), "a second cleanup finds nothing");
        assertTrue(backend().list().isEmpty());
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new SecureRandom().nextBytes(b);
        return b;
    }
}
