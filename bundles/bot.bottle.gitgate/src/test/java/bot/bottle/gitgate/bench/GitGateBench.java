package bot.bottle.gitgate.bench;

import java.io.BufferedOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

import bot.bottle.dlp.rules.Rule;
import bot.bottle.dlp.rules.RulePack;
import bot.bottle.gitgate.gate.GateConfig;
import bot.bottle.gitgate.gate.GitGate;
import bot.bottle.gitgate.gate.RepoConfig;
import bot.bottle.gitgate.scan.PushScanner;
import bot.bottle.gitgate.scan.ScanLimits;
import bot.bottle.gitgate.scan.ScanReport;
import bot.bottle.gitgate.testing.Engines;
import bot.bottle.gitgate.testing.GitCli;

/**
 * bench/gitgate/run.sh: scan throughput of the gate on a generated history (default 10,000 commits,
 * about 100 MB of file content) next to {@code git log -p | grep -E} with the same rules, and the latency
 * the gate adds to a one-commit push (through the gate vs. straight to the same kind of upstream).
 */
public final class GitGateBench {

    public static void main(String[] args) throws Exception {
        int commits = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int blobBytes = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        Path tmp = Files.createTempDirectory("gitgate-bench");
        GitCli git = new GitCli(tmp.resolve("home"));
        Path repo = tmp.resolve("history");
        git.run(tmp, "init", "-q", "-b", "main", "history").ok();
        int secrets = generate(repo, commits, blobBytes);
        StringBuilder out = new StringBuilder();
        out.append("| measure | value |\n|---|---|\n");

        // 1. the gate's scan of the whole history (a first push to an empty upstream)
        ObjectId tip = ObjectId.fromString(git.run(repo, "rev-parse", "HEAD").ok().out().strip());
        ScanReport best = null;
        for (int round = 0; round < 3; round++) {
            try (Repository r = new FileRepositoryBuilder().setGitDir(new File(repo.toFile(), ".git")).build()) {
                ScanReport rep = new PushScanner(Engines.real(), Set.of(), null,
                        ScanLimits.DEFAULTS.withTimeout(Duration.ofMinutes(10))).scan(r, List.of(tip), List.of(),
                        List.of("refs/heads/main"), List.of());
                if (best == null || rep.took().compareTo(best.took()) < 0) {
                    best = rep;
                }
            }
        }
        double gateMBs = best.bytes() / 1e6 / (best.took().toNanos() / 1e9);
        out.append(String.format("| history | %d commits, %d objects, %.1f MB scanned |%n", best.commits(),
                best.objects(), best.bytes() / 1e6));
        out.append(String.format("| gate scan (rev-list --objects, all text, DlpScanner) | %.2f s, %.1f MB/s, %d/%d "
                + "planted secrets found |%n", best.took().toNanos() / 1e9, gateMBs, countPlanted(best), secrets));

        // 2. baseline: git log -p | grep -E with the same rules (best-effort ERE translation)
        Path ere = tmp.resolve("rules.ere");
        int converted = writeEre(RulePack.defaults(), ere);
        double bestBase = Double.MAX_VALUE;
        String hits = "";
        for (int round = 0; round < 3; round++) {
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder("bash", "-c",
                    "git log -p --all | grep -E -c -f " + ere).directory(repo.toFile())
                    .redirectErrorStream(true).start();
            hits = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            p.waitFor();
            bestBase = Math.min(bestBase, (System.nanoTime() - t0) / 1e9);
        }
        out.append(String.format("| baseline `git log -p --all \\| grep -E -f` (%d of %d rules as ERE) | %.2f s "
                + "(%s matching lines) |%n", converted, RulePack.defaults().rules().size(), bestBase, hits));

        // 3. latency added to a one-commit push
        Path srv = Files.createDirectories(tmp.resolve("srv"));
        git.run(srv, "init", "-q", "--bare", "-b", "main", "up.git").ok();
        git.run(srv, "init", "-q", "--bare", "-b", "main", "direct.git").ok();
        Path seed = tmp.resolve("seed");
        git.run(tmp, "init", "-q", "-b", "main", "seed").ok();
        git.commitFile(seed, "README", "x\n", "seed");
        git.run(seed, "push", "-q", srv.resolve("up.git").toString(), "main").ok();
        git.run(seed, "push", "-q", srv.resolve("direct.git").toString(), "main").ok();
        Path state = Files.createDirectories(tmp.resolve("state/bench"));
        try (GitGate gate = GitGate.start(GateConfig.defaults(state, new InetSocketAddress("127.0.0.1", 0),
                List.of(new RepoConfig("up", srv.resolve("up.git").toString(), null, null, "",
                        RepoConfig.ForcePolicy.AGENT_CREATED))), Engines::real,
                () -> null)) { // clean pushes only: no operator is ever asked
            git.run(tmp, "clone", "-q", gate.url("up"), "viaGate").ok();
            git.run(tmp, "clone", "-q", srv.resolve("direct.git").toString(), "direct").ok();
            List<Long> viaGate = new ArrayList<>();
            List<Long> direct = new ArrayList<>();
            for (int i = 0; i < 25; i++) {
                git.commitFile(tmp.resolve("viaGate"), "f" + i + ".txt", "change " + i + "\n", "c" + i);
                git.commitFile(tmp.resolve("direct"), "f" + i + ".txt", "change " + i + "\n", "c" + i);
                long t0 = System.nanoTime();
                git.run(tmp.resolve("viaGate"), "push", "-q", "origin", "main").ok();
                long t1 = System.nanoTime();
                git.run(tmp.resolve("direct"), "push", "-q", "origin", "main").ok();
                long t2 = System.nanoTime();
                if (i >= 5) { // first pushes warm the JIT
                    viaGate.add(t1 - t0);
                    direct.add(t2 - t1);
                }
            }
            long g = median(viaGate);
            long d = median(direct);
            out.append(String.format("| 1-commit `git push` through the gate (median of 20) | %.0f ms |%n", g / 1e6));
            out.append(String.format("| 1-commit `git push` straight to a bare repo (median of 20) | %.0f ms |%n",
                    d / 1e6));
            out.append(String.format("| latency the gate adds | %.0f ms (target < 300 ms) |%n", (g - d) / 1e6));
        }
        System.out.print(out);
    }

    private static long median(List<Long> l) {
        List<Long> s = new ArrayList<>(l);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }

    private static int countPlanted(ScanReport r) {
        return (int) r.findings().stream().filter(f -> f.rule().equals("aws-access-key-id")).count();
    }

    /** Writes the history with git fast-import: each commit rewrites one of 200 files with fresh text. */
    private static int generate(Path repo, int commits, int blobBytes) throws Exception {
        Process p = new ProcessBuilder("git", "fast-import", "--quiet").directory(repo.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Random rnd = new Random(42);
        String[] words = {"alpha", "beta", "gamma", "delta", "config", "value", "return", "import", "class",
                "def", "function", "const", "let", "self", "data", "item", "index", "value2", "token_count", "=",
                "(", ")", "{", "}", "+", "-", "0x1f", "42", "true", "false", "null", "path", "user", "id"};
        int planted = 0;
        try (OutputStream os = new BufferedOutputStream(p.getOutputStream(), 1 << 20)) {
            for (int c = 0; c < commits; c++) {
                StringBuilder b = new StringBuilder(blobBytes + 100);
                while (b.length() < blobBytes) {
                    b.append(words[rnd.nextInt(words.length)]).append(rnd.nextInt(8) == 0 ? '\n' : ' ');
                }
                if (c % (commits / 5) == 3) {
                    b.append("\nkey = \"AKIA").append(base32(rnd, 16)).append("\"\n");
                    planted++;
                }
                byte[] data = b.toString().getBytes(StandardCharsets.US_ASCII);
                String msg = "commit " + c + "\n";
                String hdr = "commit refs/heads/main\nmark :" + (c + 1) + "\ncommitter Bench <bench@example.invalid> "
                        + (1700000000 + c) + " +0000\ndata " + msg.length() + "\n" + msg
                        + (c == 0 ? "" : "from :" + c + "\n") + "M 100644 inline src/file" + (c % 200) + ".txt\ndata "
                        + data.length + "\n";
                os.write(hdr.getBytes(StandardCharsets.US_ASCII));
                os.write(data);
                os.write('\n');
            }
        }
        if (p.waitFor() != 0) {
            throw new IOException("git fast-import failed");
        }
        return planted;
    }

    private static String base32(Random r, int n) {
        String a = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            b.append(a.charAt(r.nextInt(32)));
        }
        return b.toString();
    }

    /** The same best-effort ERE translation bench/dlp uses, so both baselines compare alike. */
    static int writeEre(RulePack pack, Path out) throws IOException {
        List<String> lines = new ArrayList<>();
        for (Rule r : pack.rules()) {
            String re = r.regex().pattern();
            if (re.contains("(?-i") || re.contains("\\r")) {
                continue;
            }
            re = re.replace("(?i)", "").replace("(?:", "(").replace("\\d", "[0-9]").replace("\\x60", "`")
                    .replace("\\s", "[[:space:]]").replace("[\\s\\S]", "(.|\n)").replace("}?", "}").replace("*?", "*")
                    .replace("+?", "+");
            lines.add(re);
        }
        Files.write(out, lines);
        return lines.size();
    }
}
