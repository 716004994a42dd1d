package bot.bottle.dlp;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import bot.bottle.api.dlp.DlpException;
import bot.bottle.api.dlp.Finding;
import bot.bottle.api.dlp.Finding.Severity;
import bot.bottle.api.dlp.ScanInput;
import bot.bottle.dlp.engine.DlpEngine;
import com.fasterxml.jackson.databind.JsonNode;

/** Runs the synthetic corpus through the engine; shared by the corpus test and bench/dlp. */
public final class CorpusRunner {
    /** Per-key counts: [hits, total]. */
    public final Map<String, int[]> recallByFormat = new TreeMap<>();
    public final Map<String, int[]> evasionByKind = new TreeMap<>();
    public final List<String> misses = new ArrayList<>();
    public final List<String> falsePositives = new ArrayList<>();
    public int benignTotal;

    /** A positive counts when the engine reports something the route policy acts on (not INFO). */
    static boolean actionable(List<Finding> findings) {
        return findings.stream().anyMatch(f -> f.severity() != Severity.INFO);
    }

    public static List<Finding> scanOutbound(DlpEngine engine, String text) throws DlpException {
        return engine.scan(List.of(ScanInput.outbound("body", text)), Set.of(), null);
    }

    public CorpusRunner run(DlpEngine engine) throws DlpException {
        for (JsonNode p : Fixtures.jsonl("/corpus/positives.jsonl")) {
            String format = p.get("format").asText();
            List<Finding> f = scanOutbound(engine, p.get("text").asText());
            boolean hit = f.stream().anyMatch(x -> x.rule().equals(format)) || (actionable(f) && sameFamily(format, f));
            count(recallByFormat, format, hit);
            if (!hit) {
                misses.add(format + " in " + p.get("context").asText());
            }
        }
        for (JsonNode e : Fixtures.jsonl("/corpus/evasions.jsonl")) {
            String format = e.get("format").asText();
            List<Finding> f = scanOutbound(engine, e.get("text").asText());
            boolean hit = f.stream().anyMatch(x -> x.rule().equals(format));
            count(evasionByKind, e.get("evasion").asText(), hit);
            if (!hit) {
                misses.add(format + " evasion " + e.get("evasion").asText());
            }
        }
        for (JsonNode b : Fixtures.jsonl("/corpus/benign.jsonl")) {
            benignTotal++;
            List<Finding> f = scanOutbound(engine, b.get("text").asText());
            if (actionable(f)) {
                // rule and kind only: never the matched text
                falsePositives.add(b.get("kind").asText() + " -> " + f.get(0).rule());
            }
        }
        return this;
    }

    /** A JWT inside a bearer header is found as both; either counts for the format it was filed under. */
    private static boolean sameFamily(String format, List<Finding> f) {
        return format.equals("bearer-token") && f.stream().anyMatch(x -> x.rule().equals("jwt"));
    }

    private static void count(Map<String, int[]> m, String key, boolean hit) {
        int[] c = m.computeIfAbsent(key, k -> new int[2]);
        if (hit) {
            c[0]++;
        }
        c[1]++;
    }

    public static double rate(Map<String, int[]> m) {
        int h = 0;
        int t = 0;
        for (int[] c : m.values()) {
            h += c[0];
            t += c[1];
        }
        return t == 0 ? 0 : 100.0 * h / t;
    }
}
