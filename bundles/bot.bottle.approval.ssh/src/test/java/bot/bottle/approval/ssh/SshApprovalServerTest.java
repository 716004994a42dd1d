package bot.bottle.approval.ssh;

import static org.junit.jupiter.api.Assertions.*;

import java.io.File;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import bot.bottle.api.approval.ApprovalInbox;
import bot.bottle.api.approval.Decision;
import bot.bottle.api.approval.PendingProposal;
import bot.bottle.supervise.audit.AuditKey;
import bot.bottle.supervise.TestRoutesValidator;
import bot.bottle.supervise.core.Applier;
import bot.bottle.supervise.core.BottleState;
import bot.bottle.supervise.core.Bottles;
import bot.bottle.supervise.core.SuperviseCore;
import bot.bottle.supervise.queue.Proposal;
import bot.bottle.supervise.queue.QueueDir;
import bot.bottle.supervise.queue.Response;
import bot.bottle.supervise.queue.Tool;

/** The real OpenSSH client against the real server, deciding through the real supervise core. */
class SshApprovalServerTest {

    static final String LIVE = "routes:\n  - host: api.github.com\n";
    static final String PROPOSED = LIVE + "  - host: pypi.org\n";

    @TempDir
    Path tmp;
    SshApprovalServer server;
    BottleState dev;
    Path goodKey;
    Path badKey;

    @BeforeEach
    void setUp() throws Exception {
        Assumptions.assumeTrue(which("ssh") != null && which("ssh-keygen") != null,
                "OpenSSH client not installed (apt-get install -y openssh-client): SSH test skipped");
        Path home = tmp.resolve("home");
        dev = BottleState.of(home.resolve("state/dev"));
        Files.createDirectories(dev.routesFile().getParent());
        Files.writeString(dev.routesFile(), LIVE);
        SuperviseCore core = new SuperviseCore(Bottles.underHome(home),
                new Applier(TestRoutesValidator::new, List::of), () -> AuditKey.loadOrCreate(home.resolve("keys")));
        ApprovalInbox inbox = new ApprovalInbox() {
            @Override
            public List<PendingProposal> pending() {
                return core.pending();
            }

            @Override
            public String describe(String id) {
                return core.describe(id);
            }

            @Override
            public String decide(Decision d) {
                return core.decide(d);
            }
        };
        goodKey = keygen("good");
        badKey = keygen("bad");
        Path trust = home.resolve("trust/authorized_keys");
        Files.createDirectories(trust.getParent());
        Files.writeString(trust, Files.readString(Path.of(goodKey + ".pub")));
        server = SshApprovalServer.start(inbox, trust, home.resolve("keys/ssh-host-ec"),
                new InetSocketAddress("127.0.0.1", 0));
    }

    @AfterEach
    void tearDown() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    Path keygen(String name) throws Exception {
        Path k = tmp.resolve(name);
        run(List.of("ssh-keygen", "-q", "-t", "ecdsa", "-b", "256", "-N", "", "-C", name, "-f", k.toString()));
        return k;
    }

    record Out(int status, String stdout, String stderr) {
    }

    Out run(List<String> cmd) throws Exception {
        Path o = Files.createTempFile(tmp, "out", ".txt");
        Path e = Files.createTempFile(tmp, "err", ".txt");
        Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(o.toFile()).redirectError(e.toFile()).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "timed out: " + cmd);
        return new Out(p.exitValue(), Files.readString(o), Files.readString(e));
    }

    Out ssh(Path key, String... remote) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("ssh", "-p", String.valueOf(server.port()), "-i", key.toString(),
                "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
                "-o", "UserKnownHostsFile=" + tmp.resolve("known_hosts"), "-o", "PreferredAuthentications=publickey",
                "-o", "ConnectTimeout=10", "-F", "/dev/null", "operator@127.0.0.1"));
        cmd.addAll(List.of(remote));
        return run(cmd);
    }

    @Test
    void acceptedKeyApprovesAndIsRecordedByFingerprint() throws Exception {
        Proposal p = Proposal.create("dev", Tool.ALLOW, PROPOSED, "pip needs pypi", LIVE);
        dev.queue().write(p);
        Out list = ssh(goodKey, "list");
        assertEquals(0, list.status(), list.stderr());
        assertTrue(list.stdout().contains(p.id()) && list.stdout().contains("pip needs pypi"), list.stdout());
        Out show = ssh(goodKey, "show", p.id().substring(0, 8));
        assertTrue(show.stdout().contains("+  - host: pypi.org"), show.stdout());
        Out modify = ssh(goodKey, "modify", p.id());
        assertEquals(2, modify.status());
        Out approve = ssh(goodKey, "approve", p.id(), "--reason", "'ok from my laptop'");
        assertEquals(0, approve.status(), approve.stderr() + approve.stdout());
        assertTrue(approve.stdout().startsWith("approved allow " + p.id()), approve.stdout());
        assertEquals(PROPOSED, Files.readString(dev.routesFile()));

        String fp = run(List.of("ssh-keygen", "-l", "-E", "sha256", "-f", goodKey + ".pub")).stdout().split(" ")[1];
        Response r = ((QueueDir.Answered) dev.queue().readResponse(p.id())).response();
        assertEquals("ssh:" + fp, r.approver());
        assertEquals("ssh", r.channel());
        assertEquals("ok from my laptop", r.notes());
        String audit = Files.readString(dev.audit().file(), StandardCharsets.UTF_8);
        assertTrue(audit.contains("\"approver\":\"ssh:" + fp + "\""), audit);
        assertTrue(audit.contains("\"channel\":\"ssh\""), audit);
    }

    @Test
    void unknownKeyIsRefusedAndDecidesNothing() throws Exception {
        Proposal p = Proposal.create("dev", Tool.ALLOW, PROPOSED, "x", LIVE);
        dev.queue().write(p);
        Out out = ssh(badKey, "approve", p.id());
        assertEquals(255, out.status());
        assertTrue(out.stderr().contains("Permission denied (publickey)"), out.stderr());
        assertInstanceOf(QueueDir.None.class, dev.queue().readResponse(p.id()));
        assertEquals(LIVE, Files.readString(dev.routesFile()));
    }

    @Test
    void onlySuperviseCommandsAreOffered() throws Exception {
        Out out = ssh(goodKey, "cat", "/etc/passwd");
        assertEquals(2, out.status());
        assertTrue(out.stderr().contains("unknown command"), out.stderr());
        Out reject = ssh(goodKey, "reject", "nope");
        assertEquals(2, reject.status());
        Out fwd = run(List.of("ssh", "-p", String.valueOf(server.port()), "-i", goodKey.toString(), "-o",
                "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o",
                "UserKnownHostsFile=" + tmp.resolve("known_hosts"), "-o", "ExitOnForwardFailure=yes", "-F",
                "/dev/null", "-R", "0:127.0.0.1:22", "operator@127.0.0.1", "help"));
        assertEquals(255, fwd.status());
        assertTrue(fwd.stderr().contains("forwarding failed"), fwd.stderr());
    }

    static String which(String cmd) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, cmd))) {
                return d + "/" + cmd;
            }
        }
        return null;
    }

}
