package bot.bottle.gitgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import bot.bottle.gitgate.gate.GateConfig;
import bot.bottle.gitgate.gate.GitGate;
import bot.bottle.gitgate.gate.RepoConfig;
import bot.bottle.gitgate.testing.Approvals;
import bot.bottle.gitgate.testing.Engines;
import bot.bottle.gitgate.testing.GitCli;
import bot.bottle.gitgate.testing.SshGitServer;

/**
 * The real git CLI clones, fetches and pushes through the gate; the upstream is a bare repository behind a
 * real SSH server on loopback that accepts only the gate's deploy key, with the host key pinned.
 */
class GitGateSshIntegrationTest {

    @TempDir
    Path tmp;

    private GitCli git;
    private Path upstreams;
    private Path upstream;
    private Path state;
    private SshGitServer ssh;
    private GitGate gate;
    private Path work;
    private final Approvals approvals = new Approvals();
    private final ObjectMapper json = new ObjectMapper();

    @BeforeEach
    void setUp() throws Exception {
        git = new GitCli(tmp.resolve("home"));
        upstreams = Files.createDirectories(tmp.resolve("srv"));
        upstream = upstreams.resolve("app.git");
        git.run(upstreams, "init", "-q", "--bare", "-b", "main", "app.git").ok();
        git.run(upstream, "config", "receive.advertisePushOptions", "true").ok();
        // seed the upstream directly (not through the gate), as the project's history
        Path seed = tmp.resolve("seed");
        git.run(tmp, "init", "-q", "-b", "main", "seed").ok();
        git.commitFile(seed, "README.md", "hello\n", "initial");
        git.run(seed, "push", "-q", upstream.toString(), "main").ok();

        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair deploy = g.generateKeyPair();
        Path key = tmp.resolve("creds/deploy_key");
        Files.createDirectories(key.getParent());
        // the OpenSSH private key format, as ssh-keygen writes deploy keys
        try (java.io.OutputStream out = Files.newOutputStream(key)) {
            new org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter()
                    .writePrivateKey(deploy, "deploy", null, out);
        }
        ssh = new SshGitServer(upstreams, deploy.getPublic());
        Path knownHosts = tmp.resolve("creds/known_hosts");
        Files.writeString(knownHosts, ssh.knownHostsLine() + "\n");

        state = Files.createDirectories(tmp.resolve("state/dev"));
        RepoConfig rc = new RepoConfig("app", "ssh://git@127.0.0.1:" + ssh.port() + "/app.git", key, knownHosts, "",
                RepoConfig.ForcePolicy.AGENT_CREATED);
        GateConfig config = GateConfig.defaults(state, new InetSocketAddress("127.0.0.1", 0), List.of(rc))
                .withAllowTimeout(Duration.ofSeconds(20)).withUpstreamTimeout(Duration.ofSeconds(20));
        gate = GitGate.start(config, Engines::real, approvals::service);
        work = tmp.resolve("work");
        git.run(tmp, "clone", "-q", gate.url("app"), "work").ok();
    }

    @AfterEach
    void tearDown() throws IOException {
        if (gate != null) {
            gate.close();
        }
        if (ssh != null) {
            ssh.close();
        }
        approvals.close();
        assertNoSecretOnDisk();
    }

    private String upstreamRef(String ref) throws Exception {
        GitCli.Result r = git.run(upstream, "rev-parse", "--verify", "-q", ref);
        return r.code() == 0 ? r.out().strip() : "";
    }

    private GitCli.Result push(String... args) throws Exception {
        String[] a = new String[args.length + 1];
        a[0] = "push";
        System.arraycopy(args, 0, a, 1, args.length);
        return git.run(work, a);
    }

    /** SECURITY-NOTES 16: no queue file, push log or other state file may hold a matched secret. */
    private void assertNoSecretOnDisk() throws IOException {
        if (state == null || !Files.exists(state)) {
            return;
        }
        try (Stream<Path> s = Files.walk(state)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                if (f.toString().contains("/objects/") || f.toString().endsWith(".pack") || f.toString().endsWith(".idx")) {
                    continue; // the pushed objects themselves, inside the gate's bare repository
                }
                String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                for (String secret : List.of(Engines.awsKey(), Engines.awsKey2())) {
                    assertFalse(text.contains(secret), "secret written to " + f);
                }
            }
        }
    }

    @Test
    void cleanPushIsForwardedAndFetchSeesUpstreamChanges() throws Exception {
        String c = git.commitFile(work, "src/app.py", "print('hi')\n", "add app");
        GitCli.Result r = push("origin", "main");
        assertEquals(0, r.code(), r.all());
        assertEquals(c, upstreamRef("refs/heads/main"));

        // someone else pushes upstream; the agent's fetch through the gate sees it (refresh before serving)
        Path other = tmp.resolve("other");
        git.run(tmp, "clone", "-q", upstream.toString(), "other").ok();
        String c2 = git.commitFile(other, "NOTES.md", "note\n", "upstream change");
        git.run(other, "push", "-q", "origin", "main").ok();
        git.run(work, "fetch", "-q", "origin").ok();
        assertEquals(c2, git.run(work, "rev-parse", "origin/main").ok().out().strip());
    }

    @Test
    void secretInTipIsRefusedWithLocationAndNoSecret() throws Exception {
        String before = upstreamRef("refs/heads/main");
        String c = git.commitFile(work, "config/settings.py", "x = 1\naws = '" + Engines.awsKey() + "'\n", "config");
        GitCli.Result r = push("origin", "main");
        assertNotEquals(0, r.code());
        String out = r.all();
        assertTrue(out.contains("aws-access-key-id"), out);
        assertTrue(out.contains("config/settings.py:2"), out);
        assertTrue(out.contains(c.substring(0, 10)), out);
        assertTrue(out.contains("gitleaks:allow"), out); // tells how to ask for an exception
        assertFalse(out.contains(Engines.awsKey()), out);
        assertEquals(before, upstreamRef("refs/heads/main"));
        assertEquals(before, git.run(gate.bareRepo("app"), "rev-parse", "refs/heads/main").ok().out().strip());
    }

    @Test
    void secretInAnOldCommitOfALongHistoryIsFound() throws Exception {
        String bad = null;
        for (int i = 0; i < 60; i++) {
            String content = i == 7 ? "token = \"" + Engines.awsKey() + "\"\n" : "n = " + i + "\n";
            String c = git.commitFile(work, "f" + i + ".txt", content, "commit " + i);
            if (i == 7) {
                bad = c;
            }
        }
        GitCli.Result r = push("origin", "main");
        assertNotEquals(0, r.code());
        assertTrue(r.all().contains(bad.substring(0, 10) + " f7.txt:1"), r.all());
    }

    @Test
    void secretAddedThenDeletedIsFound() throws Exception {
        String added = git.commitFile(work, "leak.env", "KEY=" + Engines.awsKey() + "\n", "oops");
        git.run(work, "rm", "-q", "leak.env").ok();
        git.run(work, "commit", "-q", "-m", "remove it").ok();
        GitCli.Result r = push("origin", "main");
        assertNotEquals(0, r.code());
        assertTrue(r.all().contains(added.substring(0, 10) + " leak.env:1"), r.all());
    }

    @Test
    void secretInCommitMessageIsFound() throws Exception {
        Files.writeString(work.resolve("a.txt"), "a\n");
        git.run(work, "add", "a.txt").ok();
        git.run(work, "commit", "-q", "-m", "use key " + Engines.awsKey() + " for now").ok();
        GitCli.Result r = push("origin", "main");
        assertNotEquals(0, r.code());
        assertTrue(r.all().contains("commit message"), r.all());
        assertFalse(r.all().contains(Engines.awsKey()), r.all());
    }

    @Test
    void secretInAnnotatedTagIsFound() throws Exception {
        git.run(work, "tag", "-a", "v1", "-m", "release with " + Engines.awsKey()).ok();
        GitCli.Result r = push("origin", "v1");
        assertNotEquals(0, r.code());
        assertTrue(r.all().contains("tag v1"), r.all());
        assertEquals("", upstreamRef("refs/tags/v1"));
    }

    @Test
    void secretInBinaryFileIsFound() throws Exception {
        byte[] utf16 = ("k=" + Engines.awsKey()).getBytes(StandardCharsets.UTF_16LE);
        byte[] bin = new byte[4096 + utf16.length];
        for (int i = 0; i < 4096; i++) {
            bin[i] = (byte) (i * 7);
        }
        System.arraycopy(utf16, 0, bin, 4096, utf16.length);
        Files.write(work.resolve("blob.bin"), bin);
        git.run(work, "add", "blob.bin").ok();
        git.run(work, "commit", "-q", "-m", "binary").ok();
        GitCli.Result r = push("origin", "main");
        assertNotEquals(0, r.code());
        assertTrue(r.all().contains("blob.bin (binary, text run)"), r.all());
    }

    private Path queue() {
        return state.resolve("supervise/queue");
    }

    /** Waits (bounded) for the gate's proposal and returns its JSON. */
    private JsonNode awaitProposal() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (Files.isDirectory(queue())) {
                try (Stream<Path> s = Files.list(queue())) {
                    List<Path> ps = s.filter(p -> p.getFileName().toString().endsWith(".proposal.json")
                            && !p.getFileName().toString().startsWith(".")).toList();
                    if (!ps.isEmpty()) {
                        return json.readTree(Files.readString(ps.get(0)));
                    }
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no proposal appeared");
    }

    private void respond(String id, String status, String notes) throws IOException {
        String body = json.writeValueAsString(json.createObjectNode().put("proposal_id", id).put("status", status)
                .put("final_file", "").put("notes", notes).put("approver", "local:test").put("channel", "shell"));
        Path tmpFile = queue().resolve("." + id + ".response.json.tmp");
        Files.writeString(tmpFile, body);
        Files.move(tmpFile, queue().resolve(id + ".response.json"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private CompletableFuture<GitCli.Result> pushAsync() {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return push("origin", "main");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void suppressionApprovedByOperatorIsForwarded() throws Exception {
        String c = git.commitFile(work, "tests/fixture.py",
                "FAKE = '" + Engines.awsKey() + "'  # gitleaks:allow\n", "fixture");
        CompletableFuture<GitCli.Result> f = pushAsync();
        JsonNode p = awaitProposal();
        assertEquals("gitleaks-allow", p.get("tool").asText());
        assertEquals("dev", p.get("bottle_slug").asText());
        String payload = p.get("proposed_file").asText();
        assertTrue(payload.contains("file: tests/fixture.py") && payload.contains("line: 1")
                && payload.contains("rule: aws-access-key-id") && payload.contains("commit: " + c)
                && payload.contains("ref: refs/heads/main"), payload);
        assertFalse(payload.contains(Engines.awsKey()), payload);
        respond(p.get("id").asText(), "approved", "dummy test fixture");
        GitCli.Result r = f.get(60, TimeUnit.SECONDS);
        assertEquals(0, r.code(), r.all());
        assertTrue(r.all().contains("supervisor approved gitleaks:allow: dummy test fixture"), r.all());
        // the agent, the operator's list and the push log name the same request
        String tag = payload.lines().filter(l -> l.startsWith("push: ")).findFirst().orElseThrow().substring(6);
        assertTrue(r.all().contains("for push " + tag), r.all());
        assertTrue(p.get("justification").asText().contains(tag), p.toString());
        assertTrue(Files.readString(state.resolve("gitgate/push-log.jsonl")).contains("\"approval_request\":\"" + tag
                + "\""));
        assertEquals(c, upstreamRef("refs/heads/main"));
        String id = p.get("id").asText();
        assertTrue(Files.exists(queue().resolve("processed/" + id + ".proposal.json")));
        assertTrue(Files.exists(queue().resolve("processed/" + id + ".response.json")));
        assertFalse(Files.exists(queue().resolve(id + ".proposal.json")));
    }

    @Test
    void suppressionRejectedOrMalformedIsRefused() throws Exception {
        String before = upstreamRef("refs/heads/main");
        git.commitFile(work, "t.py", "K = '" + Engines.awsKey() + "'  # gitleaks:allow\n", "fixture");
        CompletableFuture<GitCli.Result> f = pushAsync();
        JsonNode p = awaitProposal();
        respond(p.get("id").asText(), "rejected", "that looks real");
        GitCli.Result r = f.get(60, TimeUnit.SECONDS);
        assertNotEquals(0, r.code());
        assertTrue(r.all().contains("supervisor rejected"), r.all());
        assertEquals(before, upstreamRef("refs/heads/main"));

        // an approval without a reason is not an approval
        CompletableFuture<GitCli.Result> f2 = pushAsync();
        JsonNode p2 = awaitProposal();
        respond(p2.get("id").asText(), "approved", "");
        GitCli.Result r2 = f2.get(60, TimeUnit.SECONDS);
        assertNotEquals(0, r2.code());
        assertTrue(r2.all().contains("approval without a reason"), r2.all());
        assertEquals(before, upstreamRef("refs/heads/main"));

        // a malformed response is not an approval either
        CompletableFuture<GitCli.Result> f3 = pushAsync();
        JsonNode p3 = awaitProposal();
        Path tmpFile = queue().resolve(".bad.tmp");
        Files.writeString(tmpFile, "{\"proposal_id\": \"" + p3.get("id").asText() + "\", \"status\": \"yes\"}");
        Files.move(tmpFile, queue().resolve(p3.get("id").asText() + ".response.json"));
        GitCli.Result r3 = f3.get(60, TimeUnit.SECONDS);
        assertNotEquals(0, r3.code());
        assertTrue(r3.all().contains("invalid supervisor response"), r3.all());
        assertEquals(before, upstreamRef("refs/heads/main"));
    }

    @Test
    void suppressionTimeoutRefusesAndWithdraws() throws Exception {
        gate.close();
        GateConfig short2 = gate.config().withAllowTimeout(Duration.ofSeconds(2));
        gate = GitGate.start(new GateConfig(new InetSocketAddress("127.0.0.1", 0), short2.state(), short2.slug(),
                short2.queue(), short2.allowTimeout(), short2.repos(), short2.limits(), short2.detectors(),
                short2.knownSecretEnv(), short2.gitleaks(), short2.upstreamTimeout()), Engines::real, approvals::service);
        git.run(work, "remote", "set-url", "origin", gate.url("app")).ok();
        String before = upstreamRef("refs/heads/main");
        git.commitFile(work, "t.py", "K = '" + Engines.awsKey() + "'  # gitleaks:allow\n", "fixture");
        long t0 = System.nanoTime();
        GitCli.Result r = push("origin", "main");
        assertNotEquals(0, r.code());
        assertTrue(r.all().contains("timed out"), r.all());
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(30));
        assertEquals(before, upstreamRef("refs/heads/main"));
        try (Stream<Path> s = Files.list(queue())) {
            assertTrue(s.noneMatch(x -> x.getFileName().toString().endsWith(".proposal.json")),
                    "the timed-out proposal was withdrawn");
        }
    }

    @Test
    void suppressionWithoutASuperviseServiceIsRefused() throws Exception {
        gate.close();
        gate = GitGate.start(gate.config(), Engines::real, () -> null);
        // the config listens on port 0, so the restarted gate has a new port
        git.run(work, "remote", "set-url", "origin", gate.url("app")).ok();
        String before = upstreamRef("refs/heads/main");
        git.commitFile(work, "t.py", "K = '" + Engines.awsKey() + "'  # gitleaks:allow\n", "fixture");
        GitCli.Result r = push("origin", "main");
        assertNotEquals(0, r.code());
        assertTrue(r.all().contains("no supervise ProposalQueue service is active"), r.all());
        assertEquals(before, upstreamRef("refs/heads/main"));
        assertFalse(Files.exists(queue()), "nothing was queued");
    }

    @Test
    void forcePushToDefaultBranchIsRefusedButAllowedOnAgentBranch() throws Exception {
        String before = upstreamRef("refs/heads/main");
        git.run(work, "commit", "-q", "--amend", "-m", "rewritten").ok();
        GitCli.Result r = push("--force", "origin", "main");
        assertNotEquals(0, r.code());
        assertTrue(r.all().contains("default branch"), r.all());
        assertEquals(before, upstreamRef("refs/heads/main"));

        git.run(work, "checkout", "-q", "-b", "feature").ok();
        git.commitFile(work, "f.txt", "1\n", "feature 1");
        assertEquals(0, push("origin", "feature").code());
        git.run(work, "commit", "-q", "--amend", "-m", "feature 1 again").ok();
        GitCli.Result r2 = push("--force", "origin", "feature");
        assertEquals(0, r2.code(), r2.all());
        assertEquals(git.run(work, "rev-parse", "HEAD").ok().out().strip(), upstreamRef("refs/heads/feature"));
        assertEquals(0, push("origin", "--delete", "feature").code());
        assertEquals("", upstreamRef("refs/heads/feature"));
    }

    @Test
    void pushOptionsAreForwardedAndUpstreamRejectionIsReportedVerbatim() throws Exception {
        Path hook = upstream.resolve("hooks/pre-receive");
        Files.writeString(hook, "#!/bin/sh\n"
                + "echo \"opts:$GIT_PUSH_OPTION_COUNT:$GIT_PUSH_OPTION_0\" > \"$GIT_DIR/options.txt\"\n"
                + "if [ \"$GIT_PUSH_OPTION_0\" = deny ]; then echo 'upstream policy: pushes need review' >&2; exit 1; fi\n");
        hook.toFile().setExecutable(true);
        git.commitFile(work, "ok.txt", "ok\n", "ok");
        GitCli.Result r = push("-o", "ci.skip", "origin", "main");
        assertEquals(0, r.code(), r.all());
        assertEquals("opts:1:ci.skip", Files.readString(upstream.resolve("options.txt")).strip());

        String before = upstreamRef("refs/heads/main");
        git.commitFile(work, "ok2.txt", "ok\n", "ok2");
        GitCli.Result r2 = push("-o", "deny", "origin", "main");
        assertNotEquals(0, r2.code());
        assertTrue(r2.all().contains("upstream policy: pushes need review"), r2.all());
        assertEquals(before, upstreamRef("refs/heads/main"));
        assertEquals(before, git.run(gate.bareRepo("app"), "rev-parse", "refs/heads/main").ok().out().strip());
    }

    @Test
    void upstreamDownGivesAClearErrorAndForwardsNothing() throws Exception {
        String before = upstreamRef("refs/heads/main");
        ssh.stop();
        git.commitFile(work, "x.txt", "x\n", "x");
        git.run(work, "checkout", "-q", "-b", "side").ok();
        git.commitFile(work, "y.txt", "y\n", "y");
        GitCli.Result r = push("origin", "main", "side");
        assertNotEquals(0, r.code());
        assertTrue(r.all().contains("cannot reach the upstream"), r.all());
        assertEquals(before, upstreamRef("refs/heads/main"));
        assertEquals("", upstreamRef("refs/heads/side"));
        assertEquals(before, git.run(gate.bareRepo("app"), "rev-parse", "refs/heads/main").ok().out().strip());
        GitCli.Result f = git.run(work, "fetch", "origin");
        assertNotEquals(0, f.code());
        assertTrue(f.all().contains("cannot refresh from the upstream"), f.all());
    }

    @Test
    void wrongHostKeyIsRefused() throws Exception {
        gate.close();
        Path kh = tmp.resolve("creds/other_known_hosts");
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        Files.writeString(kh, "[127.0.0.1]:" + ssh.port() + " "
                + org.apache.sshd.common.config.keys.PublicKeyEntry.toString(g.generateKeyPair().getPublic()) + "\n");
        RepoConfig old = gate.config().repos().get(0);
        RepoConfig rc = new RepoConfig("app", old.upstream(), old.key(), kh, "", RepoConfig.ForcePolicy.AGENT_CREATED);
        gate = GitGate.start(GateConfig.defaults(state, new InetSocketAddress("127.0.0.1", 0), List.of(rc)),
                Engines::real, approvals::service);
        git.run(work, "remote", "set-url", "origin", gate.url("app")).ok();
        String before = upstreamRef("refs/heads/main");
        git.commitFile(work, "x.txt", "x\n", "x");
        GitCli.Result r = push("origin", "main");
        assertNotEquals(0, r.code());
        assertTrue(r.all().contains("cannot reach the upstream"), r.all());
        assertEquals(before, upstreamRef("refs/heads/main"));
    }
}
