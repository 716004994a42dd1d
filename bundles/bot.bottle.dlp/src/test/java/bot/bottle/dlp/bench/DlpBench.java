package bot.bottle.dlp.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import bot.bottle.api.dlp.ScanInput;
import bot.bottle.dlp.CorpusRunner;
import bot.bottle.dlp.EgressBench;
import bot.bottle.dlp.Fixtures;
import bot.bottle.dlp.engine.DlpEngine;
import bot.bottle.dlp.rules.Rule;
import bot.bottle.dlp.rules.RulePack;

/**
 * bench/dlp: recall per format, evasion catch rate, false-positive rate, agent-egress-bench pass rates
 * and throughput on typical JSON (one core) next to a {@code grep -E} baseline of the same rules,
 * measured in the same run. Prints a Markdown report; never prints scanned content.
 */
public final class DlpBench {
    private DlpBench() {
    }

    public static void main(String[] args) throws Exception {
        int mb = args.length > 0 ? Integer.parseInt(args[0]) : 32;
        DlpEngine engine = Fixtures.engine();
        StringBuilder out = new StringBuilder("# DLP bench\n\n");
        CorpusRunner r = new CorpusRunner().run(engine);
        out.append("## Synthetic corpus\n\n| format | found | cases |\n|---|---|---|\n");
        r.recallByFormat.forEach((k, v) -> out.append("| ").append(k).append(" | ").append(v[0]).append(" | ").append(v[1]).append(" |\n"));
        out.append(String.format("%nrecall: %.2f%% over %d formats%n", CorpusRunner.rate(r.recallByFormat), r.recallByFormat.size()));
        out.append("\n| evasion | caught | cases |\n|---|---|---|\n");
        r.evasionByKind.forEach((k, v) -> out.append("| ").append(k).append(" | ").append(v[0]).append(" | ").append(v[1]).append(" |\n"));
        out.append(String.format("%nevasion catch rate: %.2f%%%n", CorpusRunner.rate(r.evasionByKind)));
        out.append(String.format("false positives: %d of %d benign samples (%.2f%%) %s%n", r.falsePositives.size(), r.benignTotal,
                100.0 * r.falsePositives.size() / r.benignTotal, r.falsePositives));
        out.append("misses: ").append(r.misses).append("\n\n## agent-egress-bench (applicable categories)\n\n");
        EgressBench strict = new EgressBench().run(engine);
        out.append(strict.table("default rules")).append("\nfailures: ").append(strict.failures).append("\n\n");
        EgressBench corpus = new EgressBench().run(EgressBench.withoutAwsExampleAllowlist());
        out.append(corpus.table("AWS documented example not allowlisted")).append("\nfailures: ").append(corpus.failures).append("\n\n");

        byte[] json = typicalJson(mb);
        Path file = Files.createTempFile("dlp-bench", ".json");
        Files.write(file, json);
        List<String> docs = split(new String(json, StandardCharsets.UTF_8));
        out.append("## Throughput (typical JSON: LLM conversation payloads, ").append(mb).append(" MB, one thread)\n\n");
        double engineMbs = throughput(engine, docs, json.length, Set.of("token_patterns", "known_secrets"), true);
        double patternsOnly = throughput(engine, docs, json.length, Set.of("token_patterns"), false);
        out.append(String.format("| scanner | MB/s |%n|---|---|%n| bot-bottle engine (normalise + token_patterns + known_secrets, 3 known values) | %.0f |%n", engineMbs));
        out.append(String.format("| bot-bottle engine (normalise + token_patterns) | %.0f |%n", patternsOnly));
        Path patterns = Files.createTempFile("dlp-bench", ".ere");
        int converted = writeEre(RulePack.defaults(), patterns);
        double grep = grepBaseline(file, patterns, json.length);
        out.append(String.format("| grep -E -f (%d of %d rules converted to ERE) | %s |%n", converted,
                RulePack.defaults().rules().size(), grep < 0 ? "n/a (grep not found)" : String.format("%.0f", grep)));
        Files.deleteIfExists(file);
        Files.deleteIfExists(patterns);
        System.out.print(out);
    }

    /** Conversation-shaped JSON like agents send to their LLM API: prose, code, tool calls, ids. */
    public static byte[] typicalJson(int mb) {
        Random rnd = new Random(42);
        String[] words = ("the of and to in is for that with this on as are be by it from or an at file function return value "
                + "config build test error request response token user agent model tool call result path index string list map "
                + "import class public private static void new if else while for try catch throw").split(" ");
        StringBuilder sb = new StringBuilder(mb << 20);
        int doc = 0;
        while (sb.length() < (mb << 20)) {
            sb.append("{\"model\":\"claude-sonnet\",\"max_tokens\":4096,\"messages\":[");
            for (int m = 0; m < 40; m++) {
                sb.append(m == 0 ? "" : ",").append("{\"role\":\"").append(m % 2 == 0 ? "user" : "assistant").append("\",\"content\":\"");
                for (int w = 0; w < 120; w++) {
                    sb.append(words[rnd.nextInt(words.length)]).append(rnd.nextInt(12) == 0 ? ".\\n" : " ");
                }
                if (m % 5 == 0) {
                    sb.append("```java\\npublic static int f(int x) {\\n    return x * 2;\\n}\\n```");
                }
                sb.append("\",\"id\":\"").append(new java.util.UUID(rnd.nextLong(), rnd.nextLong())).append("\"}");
            }
            sb.append("],\"metadata\":{\"user_id\":\"").append(Long.toHexString(rnd.nextLong())).append("\",\"doc\":").append(doc++).append("}}\n");
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> split(String all) {
        List<String> docs = new ArrayList<>();
        for (String d : all.split("\n")) {
            if (!d.isEmpty()) {
                docs.add(d);
            }
        }
        return docs;
    }

    private static double throughput(DlpEngine engine, List<String> docs, long bytes, Set<String> detectors, boolean known)
            throws Exception {
        var secrets = known ? new bot.bottle.dlp.detect.KnownSecretsImpl(Map.of("GITHUB_TOKEN", "ghp_" + "x".repeat(36),
                "API", "sk-proj-" + "y".repeat(40)), "canary-" + "z".repeat(36)) : null;
        for (int warm = 0; warm < 2; warm++) {
            for (String d : docs) {
                engine.scan(List.of(ScanInput.outbound("body", d)), detectors, secrets);
            }
        }
        long best = Long.MAX_VALUE;
        for (int round = 0; round < 3; round++) {
            long t0 = System.nanoTime();
            int found = 0;
            for (String d : docs) {
                found += engine.scan(List.of(ScanInput.outbound("body", d)), detectors, secrets).size();
            }
            long t = System.nanoTime() - t0;
            if (found != 0) {
                throw new IllegalStateException("benign bench JSON produced " + found + " findings");
            }
            best = Math.min(best, t);
        }
        return bytes / 1e6 / (best / 1e9);
    }

    /** Best-effort translation of each rule to POSIX ERE for GNU grep; returns how many converted. */
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

    static double grepBaseline(Path file, Path patterns, long bytes) throws Exception {
        double best = -1;
        for (int round = 0; round < 3; round++) {
            long t0 = System.nanoTime();
            Process p;
            try {
                p = new ProcessBuilder("grep", "-E", "-c", "-f", patterns.toString(), file.toString())
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            } catch (IOException e) {
                return -1;
            }
            p.waitFor();
            double mbs = bytes / 1e6 / ((System.nanoTime() - t0) / 1e9);
            best = Math.max(best, mbs);
        }
        return best;
    }
}
