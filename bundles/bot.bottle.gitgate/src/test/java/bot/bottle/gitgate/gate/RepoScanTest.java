package bot.bottle.gitgate.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import bot.bottle.gitgate.scan.ScanLimits;
import bot.bottle.gitgate.scan.ScanReport;
import bot.bottle.gitgate.testing.Engines;
import bot.bottle.gitgate.testing.GitCli;

class RepoScanTest {

    @TempDir
    Path tmp;

    @Test
    void rangesAndExitStatuses() throws Exception {
        GitCli git = new GitCli(tmp.resolve("home"));
        Path w = tmp.resolve("w");
        git.run(tmp, "init", "-q", "-b", "main", "w").ok();
        git.commitFile(w, "a", "a\n", "a");
        git.commitFile(w, "k.env", "K=" + Engines.awsKey() + "\n", "k");
        git.commitFile(w, "b", "b\n", "b");
        ScanReport all = RepoScan.scan(Engines.real(), w, List.of(), ScanLimits.DEFAULTS);
        assertEquals(1, all.findings().size());
        String text = RepoScan.text(all);
        assertTrue(text.contains("k.env:1 aws-access-key-id"), text);
        assertFalse(text.contains(Engines.awsKey()));
        assertFalse(RepoScan.json(all).contains(Engines.awsKey()));
        assertTrue(RepoScan.scan(Engines.real(), w, List.of("HEAD~1..HEAD"), ScanLimits.DEFAULTS).clean());
        assertEquals(1, RepoScan.scan(Engines.real(), w, List.of("HEAD~2..HEAD"), ScanLimits.DEFAULTS)
                .findings().size());
        assertEquals(2, assertThrows(GateFailure.class,
                () -> RepoScan.scan(Engines.real(), w, List.of("nope"), ScanLimits.DEFAULTS)).exitStatus());
        assertEquals(2, assertThrows(GateFailure.class,
                () -> RepoScan.scan(Engines.real(), tmp.resolve("none"), List.of(), ScanLimits.DEFAULTS)).exitStatus());
    }
}
