package bot.bottle.dlp.engine;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import bot.bottle.api.dlp.ScanInput;
import bot.bottle.dlp.Fixtures;
import bot.bottle.dlp.bench.DlpBench;
import bot.bottle.dlp.detect.KnownSecretsImpl;
import bot.bottle.dlp.rules.PatternScanner;
import bot.bottle.dlp.rules.RulePack;

/** bench/dlp helper: CPU ns per char of each scanning stage on the bench's typical JSON (best of rounds). */
public final class StageTimes {
    private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();

    private StageTimes() {
    }

    public static void main(String[] args) throws Exception {
        int mb = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        List<String> docs = new ArrayList<>();
        for (String d : new String(DlpBench.typicalJson(mb), StandardCharsets.UTF_8).split("\n")) {
            if (!d.isEmpty()) {
                docs.add(d);
            }
        }
        long chars = docs.stream().mapToLong(String::length).sum();
        Normaliser n = new Normaliser();
        List<String> canon = new ArrayList<>();
        for (String d : docs) {
            canon.add(n.canonical(TextView.identity(d)).text());
        }
        RulePack pack = RulePack.defaults();
        KnownSecretsImpl known = new KnownSecretsImpl(Map.of("GITHUB_TOKEN", "ghp_" + "x".repeat(36),
                "API", "sk-proj-" + "y".repeat(40)), "canary-" + "z".repeat(36));
        DlpEngine engine = Fixtures.engine();
        if (args.length > 1 && args[1].equals("engine")) { // only the public engine: also runs against older builds
            for (int k = 0; k < 2; k++) { // twice: the second round is past the JIT's warm-up
                timeEngine("engine all", engine, docs, chars, Set.of("token_patterns", "known_secrets"), known);
                timeEngine("engine patterns", engine, docs, chars, Set.of("token_patterns"), null);
            }
            return;
        }
        if (args.length > 1) {
            for (int k = 0; k < 30; k++) {
                time("decodeRuns", canon, chars, c -> n.decodeRuns(TextView.identity(c)));
            }
            return;
        }
        time("canonical", docs, chars, d -> n.canonical(TextView.identity(d)));
        time("decodeRuns", canon, chars, c -> n.decodeRuns(TextView.identity(c)));
        int[] stats = new int[3];
        for (String c : canon) {
            for (int[] r : Normaliser.runs(c)) {
                stats[0]++;
                stats[1] += r[2] - r[0];
            }
            stats[2] += n.decodeRuns(TextView.identity(c)).size();
        }
        System.out.printf("per doc: %.1f runs, %.1f run chars, %.1f decoded views; doc %d chars%n",
                (double) stats[0] / canon.size(), (double) stats[1] / canon.size(), (double) stats[2] / canon.size(),
                chars / canon.size());
        time("runs only", canon, chars, Normaliser::runs);
        time("json strings", canon, chars, JsonStrings::values);
        time("token patterns", canon, chars, c -> PatternScanner.scan(pack, c));
        bot.bottle.dlp.detect.KnownSecretsDetector kd = new bot.bottle.dlp.detect.KnownSecretsDetector();
        time("known find", canon, chars, c -> kd.scan(ScanInput.outbound("body", c), known));
        timeEngine("engine all", engine, docs, chars, Set.of("token_patterns", "known_secrets"), known);
        timeEngine("engine patterns", engine, docs, chars, Set.of("token_patterns"), null);
        timeEngine("engine known", engine, docs, chars, Set.of("known_secrets"), known);
    }

    private static void timeEngine(String name, DlpEngine engine, List<String> docs, long chars, Set<String> detectors,
                                   KnownSecretsImpl known) {
        time(name, docs, chars, d -> {
            try {
                engine.scan(List.of(ScanInput.outbound("body", d)), detectors, known);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static void time(String name, List<String> docs, long chars, Consumer<String> f) {
        long best = Long.MAX_VALUE;
        for (int round = 0; round < 8; round++) {
            // thread CPU time: on a shared machine wall time mostly measures the other tenants
            long t0 = CPU.getCurrentThreadCpuTime();
            for (String d : docs) {
                f.accept(d);
            }
            best = Math.min(best, CPU.getCurrentThreadCpuTime() - t0);
        }
        System.out.printf("%-16s %6.2f ns/char  %7.0f MB/s%n", name, (double) best / chars, chars / 1e6 / (best / 1e9));
    }
}
