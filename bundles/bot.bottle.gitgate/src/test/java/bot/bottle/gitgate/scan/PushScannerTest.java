package bot.bottle.gitgate.scan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import bot.bottle.api.dlp.Finding;
import bot.bottle.gitgate.testing.Engines;
import bot.bottle.gitgate.testing.FakeScanner;
import bot.bottle.gitgate.testing.GitCli;

/** What is "new" and what is scanned, on real repositories built with the git CLI, with the real engine. */
class PushScannerTest {

    @TempDir
    Path tmp;
    GitCli git;
    Path work;

    @BeforeEach
    void setUp() throws Exception {
        git = new GitCli(tmp.resolve("home"));
        work = tmp.resolve("w");
        git.run(tmp, "init", "-q", "-b", "main", "w").ok();
        git.commitFile(work, "README", "base\n", "base");
    }

    private ObjectId rev(String r) throws Exception {
        return ObjectId.fromString(git.run(work, "rev-parse", r).ok().out().strip());
    }

    private ScanReport scan(List<ObjectId> tips, List<ObjectId> haves) throws Exception {
        return scan(new PushScanner(Engines.real(), Set.of(), null, ScanLimits.DEFAULTS), tips, haves);
    }

    private ScanReport scan(PushScanner s, List<ObjectId> tips, List<ObjectId> haves) throws Exception {
        try (Repository r = new FileRepositoryBuilder().setGitDir(new File(work.toFile(), ".git")).build()) {
            return s.scan(r, tips, haves, List.of("refs/heads/main"), List.of());
        }
    }

    @Test
    void onlyObjectsNotReachableFromTheUpstreamAreScanned() throws Exception {
        git.commitFile(work, "old.txt", "k=" + Engines.awsKey() + "\n", "already public");
        ObjectId upstream = rev("HEAD");
        git.commitFile(work, "new.txt", "clean\n", "new");
        ScanReport r = scan(List.of(rev("HEAD")), List.of(upstream));
        assertTrue(r.clean(), r.findings().toString());
        assertEquals(1, r.commits());
        // first push to an empty upstream: the whole history is new
        ScanReport all = scan(List.of(rev("HEAD")), List.of());
        assertEquals(1, all.findings().size());
        assertEquals("old.txt", all.findings().get(0).path());
        assertEquals(3, all.commits());
    }

    @Test
    void mergeResolutionIsScanned() throws Exception {
        ObjectId base = rev("HEAD");
        git.run(work, "checkout", "-q", "-b", "side").ok();
        git.commitFile(work, "conf", "a=1\n", "side");
        git.run(work, "checkout", "-q", "main").ok();
        git.commitFile(work, "conf", "a=2\n", "main");
        git.run(work, "merge", "-q", "side"); // conflicts, resolved by hand below
        Files.writeString(work.resolve("conf"), "a=" + Engines.awsKey() + "\n");
        git.run(work, "add", "conf").ok();
        git.run(work, "commit", "-q", "--no-edit").ok();
        ObjectId merge = rev("HEAD");
        ScanReport r = scan(List.of(merge), List.of(base));
        assertEquals(1, r.findings().size(), r.findings().toString());
        PushFinding f = r.findings().get(0);
        assertEquals(merge.name(), f.commit(), "attributed to the merge that introduced it");
        assertEquals("conf", f.path());
        assertEquals(1, f.line());
    }

    @Test
    void notesAndTagOnlyBlobsAreScanned() throws Exception {
        ObjectId base = rev("HEAD");
        git.run(work, "notes", "add", "-m", "deploy with " + Engines.awsKey()).ok();
        ScanReport notes = scan(List.of(rev("refs/notes/commits")), List.of(base));
        assertEquals(1, notes.findings().size(), notes.findings().toString());
        // a blob reachable only from a tag
        Files.writeString(work.resolve("loose"), "key " + Engines.awsKey2() + "\n");
        String blob = git.run(work, "hash-object", "-w", "loose").ok().out().strip();
        git.run(work, "tag", "blobtag", blob).ok();
        ScanReport tagged = scan(List.of(rev("refs/tags/blobtag")), List.of(base));
        assertEquals(1, tagged.findings().size(), tagged.findings().toString());
        assertEquals("", tagged.findings().get(0).commit());
    }

    @Test
    void fileNamesRefNamesAndPushOptionsAreScanned() throws Exception {
        ObjectId base = rev("HEAD");
        git.commitFile(work, "dir/" + Engines.awsKey() + ".txt", "x\n", "odd name");
        ScanReport r = scan(List.of(rev("HEAD")), List.of(base));
        assertEquals(1, r.findings().size(), r.findings().toString());
        PushFinding f = r.findings().get(0);
        assertEquals(PushFinding.Where.PATH, f.where());
        assertFalse(f.path().contains(Engines.awsKey()), f.path());
        try (Repository repo = new FileRepositoryBuilder().setGitDir(new File(work.toFile(), ".git")).build()) {
            ScanReport refs = new PushScanner(Engines.real(), Set.of(), null, ScanLimits.DEFAULTS).scan(repo,
                    List.of(base), List.of(base), List.of("refs/heads/" + Engines.awsKey()),
                    List.of("x=" + Engines.awsKey2()));
            assertEquals(2, refs.findings().size(), refs.findings().toString());
            assertTrue(refs.findings().stream().noneMatch(x -> x.path().contains(Engines.awsKey())
                    || x.path().contains(Engines.awsKey2())));
        }
    }

    @Test
    void secretStraddlingASegmentBoundaryIsFoundOnce() throws Exception {
        ObjectId base = rev("HEAD");
        StringBuilder big = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            big.append("line ").append(i).append(" filler text here\n");
        }
        int at = big.length();
        big.append("x").append(Engines.awsKey()).append('\n');
        for (int i = 0; i < 100; i++) {
            big.append("tail ").append(i).append('\n');
        }
        git.commitFile(work, "big.txt", big.toString(), "big");
        for (int seg : new int[] {at + 3, at + 10, at + 20, 4096, 10_000}) {
            PushScanner s = new PushScanner(Engines.real(), Set.of(), null,
                    ScanLimits.DEFAULTS.withSegments(seg, Math.min(1024, seg / 3)));
            ScanReport r = scan(s, List.of(rev("HEAD")), List.of(base));
            assertEquals(1, r.findings().size(), "segment " + seg + ": " + r.findings());
            assertEquals(3001, r.findings().get(0).line(), "segment " + seg);
        }
    }

    @Test
    void binaryTextRunsAsciiAndUtf16AreScanned() throws Exception {
        ObjectId base = rev("HEAD");
        for (var cs : List.of(StandardCharsets.US_ASCII, StandardCharsets.UTF_16LE, StandardCharsets.UTF_16BE)) {
            byte[] head = new byte[] {0, 1, 2, 3, (byte) 0xff, 0, 9, 7};
            byte[] secret = ("key=" + Engines.awsKey()).getBytes(cs);
            byte[] all = new byte[head.length + secret.length + 3];
            System.arraycopy(head, 0, all, 0, head.length);
            System.arraycopy(secret, 0, all, head.length, secret.length);
            Files.write(work.resolve("b.bin"), all);
            git.run(work, "add", "b.bin").ok();
            git.run(work, "commit", "-q", "-m", "bin " + cs).ok();
            ScanReport r = scan(List.of(rev("HEAD")), List.of(base));
            assertEquals(1, r.findings().size(), cs + ": " + r.findings());
            assertEquals(PushFinding.Where.BINARY, r.findings().get(0).where());
            base = rev("HEAD");
        }
    }

    @Test
    void gitleaksAllowMarksAFindingForAnOperatorAndAgentConfigIsIgnored() throws Exception {
        ObjectId base = rev("HEAD");
        git.commitFile(work, ".gitleaks.toml", "[allowlist]\npaths = ['''.*''']\n", "agent's config");
        git.commitFile(work, ".gitleaksignore", "*\n", "agent's ignore file");
        git.commitFile(work, "t.py", "A = '" + Engines.awsKey() + "'  # gitleaks:allow\nB = '" + Engines.awsKey2()
                + "'\n", "[skip gitleaks] fixtures");
        ScanReport r = scan(List.of(rev("HEAD")), List.of(base));
        assertEquals(2, r.findings().size(), r.findings().toString());
        assertEquals(1, r.suppressed().size());
        assertEquals(1, r.suppressed().get(0).line());
        assertEquals(2, r.blocking().get(0).line());
        for (PushFinding f : r.findings()) {
            assertFalse(f.redactedLine().contains(Engines.awsKey()) || f.redactedLine().contains(Engines.awsKey2()),
                    f.redactedLine());
        }
    }

    @Test
    void engineErrorSizeLimitAndTimeoutFailClosed() throws Exception {
        ObjectId base = rev("HEAD");
        git.commitFile(work, "a.txt", "a".repeat(10_000) + "\n", "a");
        FakeScanner broken = new FakeScanner("x", Finding.Severity.HIGH);
        broken.fail = true;
        assertThrows(ScanFailure.class, () -> scan(new PushScanner(broken, Set.of(), null, ScanLimits.DEFAULTS),
                List.of(rev("HEAD")), List.of(base)));
        FakeScanner ok = new FakeScanner("zzzz", Finding.Severity.HIGH);
        ScanFailure big = assertThrows(ScanFailure.class, () -> scan(new PushScanner(ok, Set.of(), null,
                ScanLimits.DEFAULTS.withMaxBytes(5_000)), List.of(rev("HEAD")), List.of(base)));
        assertTrue(big.getMessage().contains("scan limit"), big.getMessage());
        FakeScanner slow = new FakeScanner("zzzz", Finding.Severity.HIGH);
        slow.sleepMillis = 300;
        ScanFailure late = assertThrows(ScanFailure.class, () -> scan(new PushScanner(slow, Set.of(), null,
                ScanLimits.DEFAULTS.withTimeout(Duration.ofMillis(100))), List.of(rev("HEAD")), List.of(base)));
        assertTrue(late.getMessage().contains("did not finish"), late.getMessage());
    }

    @Test
    void informationalFindingsDoNotBlockAndCertainOnesCannotBeAllowed() throws Exception {
        ObjectId base = rev("HEAD");
        git.commitFile(work, "a.txt", "CANARY-123 # gitleaks:allow\n", "a");
        ScanReport info = scan(new PushScanner(new FakeScanner("CANARY-[0-9]+", Finding.Severity.INFO), Set.of(),
                null, ScanLimits.DEFAULTS), List.of(rev("HEAD")), List.of(base));
        assertTrue(info.clean());
        ScanReport certain = scan(new PushScanner(new FakeScanner("CANARY-[0-9]+", Finding.Severity.CERTAIN),
                Set.of(), null, ScanLimits.DEFAULTS), List.of(rev("HEAD")), List.of(base));
        assertEquals(1, certain.blocking().size(), "the canary is never an inline exception");
    }

    @Test
    void commitHeaderFindingIsLabelled() throws Exception {
        ObjectId base = rev("HEAD");
        Files.writeString(work.resolve("c"), "c\n");
        git.run(work, "add", "c").ok();
        git.run(work, Map.of("GIT_AUTHOR_NAME", "me " + Engines.awsKey()), "commit", "-q", "-m", "c").ok();
        ScanReport r = scan(List.of(rev("HEAD")), List.of(base));
        assertEquals(1, r.findings().size());
        assertTrue(r.findings().get(0).path().startsWith("commit header"), r.findings().get(0).path());
    }
}
