package bot.bottle.approval.ssh;

import static org.junit.jupiter.api.Assertions.*;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.node.ObjectNode;

import bot.bottle.supervise.core.BottleState;
import bot.bottle.supervise.queue.Proposal;
import bot.bottle.supervise.queue.QueueDir;
import bot.bottle.supervise.queue.Response;
import bot.bottle.supervise.queue.Tool;

/**
 * The DS wiring in a real kernel: {@code bot-bottle daemon} of the built distribution. Without {@code bot.bottle.ssh.listen} the channel opens no port;
 * with it, the real OpenSSH client lists and approves a proposal through the supervise bundle's
 * {@code ApprovalInbox} service, and the decision is recorded as channel {@code ssh} with the key's
 * fingerprint.
 */
class SshDaemonWiringTest {

    static final String LIVE = "routes:\n  - host: api.github.com\n";
    static final String PROPOSED = LIVE + "  - host: pypi.org\n";

    @TempDir
    Path tmp;
    final List<Process> daemons = new ArrayList<>();
    final List<Path> links = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (Process p : daemons) {
            p.destroy();
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        for (Path l : links) {
            Files.deleteIfExists(l);
        }
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void sshListensOnlyWhenConfiguredAndDecidesThroughTheInbox() throws Exception {
        skipUnless(which("ssh") && which("ssh-keygen"), "OpenSSH client not installed (apt-get install -y openssh-client)");
        Path dist = overlayDist();
        Path home = tmp.resolve("home");
        BottleState dev = BottleState.of(home.resolve("state/dev"));
        Files.createDirectories(dev.routesFile().getParent());
        Files.writeString(dev.routesFile(), LIVE);
        Proposal p = Proposal.create("dev", Tool.ALLOW, PROPOSED, "pip needs pypi", LIVE);
        dev.queue().write(p);
        Path key = tmp.resolve("operator");
        run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "operator", "-f", key.toString()));
        Files.createDirectories(home.resolve("trust"));
        Files.copy(Path.of(key + ".pub"), home.resolve("trust/authorized_keys"));

        // 1. not configured: the daemon runs and the channel opens no port (the default one stays closed)
        boolean defaultFree = free(9122);
        List<String> quiet = new ArrayList<>();
        Process plain = daemon(dist, home, null, quiet);
        assertFalse(String.join("\n", quiet).contains("SSH channel on"), String.join("\n", quiet));
        if (defaultFree) {
            assertFalse(listening(9122), "the SSH channel listens on 9122 without bot.bottle.ssh.listen");
        }
        plain.destroy();
        assertTrue(plain.waitFor(30, TimeUnit.SECONDS));

        // 2. configured: it listens where told, and decides through the supervise inbox
        int port = freePort();
        List<String> log = new ArrayList<>();
        daemon(dist, home, "-Dbot.bottle.ssh.listen=127.0.0.1:" + port, log);
        assertTrue(String.join("\n", log).contains("supervise SSH channel on 127.0.0.1:" + port), String.join("\n", log));
        assertTrue(listening(port));

        String listed = ssh(key, port, "list");
        assertTrue(listed.contains(p.id()) && listed.contains("pip needs pypi"), listed);
        String approved = ssh(key, port, "approve", p.id());
        assertTrue(approved.contains("approved allow " + p.id()), approved);
        assertEquals(PROPOSED, Files.readString(dev.routesFile()));
        Response r = ((QueueDir.Answered) dev.queue().readResponse(p.id())).response();
        String fp = run(List.of("ssh-keygen", "-l", "-E", "sha256", "-f", key + ".pub")).split(" ")[1];
        assertEquals("ssh", r.channel());
        assertEquals("ssh:" + fp, r.approver());
        ObjectNode entry = dev.audit().entries().get(0);
        assertEquals("ssh", entry.get("channel").asText());
        assertEquals("ssh:" + fp, entry.get("approver").asText());
    }

    /** The built distribution with this module's bundle rebuilt from target/classes; skips without one. */
    /** The assembled distribution of this build (itests run after the launcher module). */
    Path overlayDist() {
        Path repo = Path.of("").toAbsolutePath().getParent();
        Path real = repo.resolve("launcher/target/dist");
        skipUnless(Files.isDirectory(real.resolve("bundle")) && Files.isExecutable(repo.resolve("launcher/bot-bottle")),
                "distribution not built at " + real + " (mvn -q -pl launcher -am install -DskipTests)");
        return real;
    }

    /** Starts {@code bot-bottle daemon} and waits (bounded) until the kernel says it runs. */
    Process daemon(Path dist, Path home, String javaOpts, List<String> log) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(repoLauncher(), "daemon").redirectErrorStream(true);
        pb.environment().put("BOT_BOTTLE_HOME", home.toString());
        pb.environment().put("BOT_BOTTLE_DIST", dist.toString());
        pb.environment().remove("BOT_BOTTLE_JAVA_OPTS");
        if (javaOpts != null) {
            pb.environment().put("BOT_BOTTLE_JAVA_OPTS", javaOpts);
        }
        Process p = pb.start();
        daemons.add(p);
        ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null;) {
                    lines.add(l);
                }
            } catch (IOException ignored) {
                // the daemon stopped
            }
        }, "daemon-out");
        t.setDaemon(true);
        t.start();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (lines.stream().noneMatch(l -> l.contains("kernel running"))) {
            if (!p.isAlive() || System.nanoTime() > end) {
                fail("daemon did not start: " + String.join("\n", lines));
            }
            Thread.sleep(50);
        }
        log.addAll(lines);
        return p;
    }

    static String repoLauncher() {
        return Path.of("").toAbsolutePath().getParent().resolve("launcher/bot-bottle").toString();
    }

    String ssh(Path key, int port, String... command) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ssh", "-p", String.valueOf(port), "-i", key.toString(), "-o",
                "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o",
                "UserKnownHostsFile=" + tmp.resolve("known_hosts"), "-o", "PreferredAuthentications=publickey", "-o",
                "ConnectTimeout=20", "-F", "/dev/null", "operator@127.0.0.1"));
        cmd.addAll(List.of(command));
        return run(cmd);
    }

    static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("timed out: " + cmd);
        }
        assertEquals(0, p.exitValue(), cmd + ": " + out);
        return out;
    }

    static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static boolean free(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static boolean which(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    static void skipUnless(boolean ok, String reason) {
        if (!ok) {
            System.err.println("SKIPPED: " + reason);
        }
        Assumptions.assumeTrue(ok, reason);
    }
}
