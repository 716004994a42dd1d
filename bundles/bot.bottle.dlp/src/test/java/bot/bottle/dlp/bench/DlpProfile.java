package bot.bottle.dlp.bench;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import bot.bottle.api.dlp.ScanInput;
import bot.bottle.dlp.Fixtures;
import bot.bottle.dlp.detect.KnownSecretsImpl;
import bot.bottle.dlp.engine.DlpEngine;

/**
 * Profiling harness for bench/dlp: scans the bench's typical JSON in a loop for a fixed time so a
 * sampling profiler (JFR: {@code -XX:StartFlightRecording}) sees the steady state. Prints MB/s.
 * Usage: DlpProfile [seconds] [MB] [all|patterns].
 */
public final class DlpProfile {
    private DlpProfile() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int mb = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        boolean all = args.length <= 2 || args[2].equals("all");
        DlpEngine engine = Fixtures.engine();
        byte[] json = DlpBench.typicalJson(mb);
        List<String> docs = new ArrayList<>();
        for (String d : new String(json, StandardCharsets.UTF_8).split("\n")) {
            if (!d.isEmpty()) {
                docs.add(d);
            }
        }
        KnownSecretsImpl secrets = all ? new KnownSecretsImpl(Map.of("GITHUB_TOKEN", "ghp_" + "x".repeat(36),
                "API", "sk-proj-" + "y".repeat(40)), "canary-" + "z".repeat(36)) : null;
        Set<String> detectors = all ? Set.of("token_patterns", "known_secrets") : Set.of("token_patterns");
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        double best = 0;
        while (System.nanoTime() < end) {
            long t0 = System.nanoTime();
            for (String d : docs) {
                engine.scan(List.of(ScanInput.outbound("body", d)), detectors, secrets);
            }
            double mbs = json.length / 1e6 / ((System.nanoTime() - t0) / 1e9);
            best = Math.max(best, mbs);
            System.out.printf("%.1f MB/s%n", mbs);
        }
        System.out.printf("best %.1f MB/s%n", best);
    }
}
