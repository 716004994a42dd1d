package bot.bottle.dlp.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import bot.bottle.api.dlp.Finding;
import bot.bottle.api.dlp.ScanInput;
import bot.bottle.dlp.Fixtures;
import bot.bottle.dlp.bench.DlpBench;
import bot.bottle.dlp.detect.KnownSecretsImpl;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/**
 * The shared automaton pass (token_patterns keywords and known values in one automaton, interleaved
 * ASCII walks, the joined pass through the same automaton) against the reference: every detector
 * through its own public {@code scan}. Same findings, everywhere: corpus, every default rule's positive
 * samples in short and long bodies, split across JSON fields and headers, with and without known values.
 */
class SharedPassTest {
    private static final DlpEngine SHARED = new DlpEngine(Fixtures.builtins(), true);
    private static final DlpEngine REFERENCE = new DlpEngine(Fixtures.builtins(), false);
    private static final String TOKEN = "ghp_" + "Q9w8E7r6T5y4U3i2O1p0A9s8D7f6G5h4J3k2";
    private static final String API = "sk-proj-" + "Zx12Cv34Bn56Mm78Lk90Jh12Gf34Ds56Aa78Qq90";
    private static final KnownSecretsImpl KNOWN = new KnownSecretsImpl(Map.of("GITHUB_TOKEN", TOKEN, "API", API),
            "canary-" + "f00dfeedcafe".repeat(3));
    /** Filler that pushes a sample past the whole-text limit and the interleaved-scan threshold. */
    private static final String FILLER = new String(DlpBench.typicalJson(1), StandardCharsets.UTF_8).substring(0, 12_000)
            .replace("\"", "'").replace("\\", "/");

    private static List<Finding> same(List<ScanInput> inputs, KnownSecretsImpl known) throws Exception {
        List<Finding> want = REFERENCE.scan(inputs, Set.of(), known);
        List<Finding> got = SHARED.scan(inputs, Set.of(), known);
        assertEquals(want, got, () -> "shared pass differs from the reference on " + inputs.size() + " input(s) of "
                + inputs.stream().mapToInt(i -> i.text().length()).sum() + " chars");
        return got;
    }

    private static String json(String s) {
        return Fixtures.JSON.valueToTree(s).toString();
    }

    @Test
    void corpusFindingsAreThoseOfTheReference() throws Exception {
        for (String file : new String[] {"/corpus/positives.jsonl", "/corpus/evasions.jsonl", "/corpus/benign.jsonl"}) {
            for (JsonNode n : Fixtures.jsonl(file)) {
                String text = n.get("text").asText();
                same(List.of(ScanInput.outbound("body", text)), null);
                same(List.of(ScanInput.outbound("body", text)), KNOWN);
                same(List.of(ScanInput.inbound("body", text)), KNOWN);
            }
        }
    }

    @Test
    void everyDefaultRulesPositivesAreFoundThroughTheSharedPass() throws Exception {
        int samples = 0;
        int splitFound = 0;
        List<String> missed = new ArrayList<>();
        java.util.Set<String> splitMissed = new java.util.TreeSet<>();
        for (JsonNode s : Fixtures.json("/corpus/rule-samples.json")) {
            String rule = s.get("rule").asText();
            for (JsonNode p : s.get("positive")) {
                String text = p.asText();
                samples++;
                for (KnownSecretsImpl known : new KnownSecretsImpl[] {null, KNOWN}) {
                    // as is, and in the middle of a long body (windows, interleaved walks)
                    for (String body : new String[] {text, "{\"a\":\"" + FILLER + "\",\"b\":" + json(text) + ",\"c\":\"" + FILLER + "\"}",
                            FILLER + "\n" + text + "\n" + FILLER}) {
                        List<Finding> f = same(List.of(ScanInput.outbound("body", body)), known);
                        if (f.stream().noneMatch(x -> x.rule().equals(rule))) {
                            missed.add(rule + (body == text ? "" : " in a long body"));
                        }
                    }
                }
                // split across two JSON fields and two headers, in the middle of the secret
                List<Finding> whole = REFERENCE.scan(List.of(ScanInput.outbound("body", text)), Set.of(), null);
                Finding secret = whole.stream().filter(x -> x.rule().equals(rule)).findFirst().orElseThrow();
                int mid = (secret.start() + secret.end()) / 2;
                String split = "{\"first\":" + json(text.substring(0, mid)) + ",\"second\":" + json(text.substring(mid)) + "}";
                same(List.of(ScanInput.outbound("body", split)), KNOWN);
                same(List.of(ScanInput.outbound("header:x-a", text.substring(0, mid)),
                        ScanInput.outbound("header:x-b", text.substring(mid))), KNOWN);
                // the secret alone, split across two fields of a long body
                String value = text.substring(secret.start(), secret.end());
                int h = value.length() / 2;
                String fields = "{\"a\":\"" + FILLER + "\",\"first\":" + json(value.substring(0, h)) + ",\"second\":"
                        + json(value.substring(h)) + ",\"c\":\"" + FILLER + "\"}";
                List<Finding> f = same(List.of(ScanInput.outbound("body", fields)), KNOWN);
                if (f.stream().anyMatch(x -> x.rule().equals(rule))) {
                    splitFound++;
                } else {
                    splitMissed.add(rule);
                }
            }
        }
        assertEquals(List.of(), missed);
        assertTrue(samples >= 62 * 2, "samples: " + samples);
        // most samples are JSON themselves, so the split lands inside a quoted value and stays findable
        assertTrue(splitFound * 10 >= samples * 8, "split samples found: " + splitFound + " of " + samples + "; missed " + splitMissed);
    }

    @Test
    void knownValuesInTheirEncodingsAndSplitAreThoseOfTheReference() throws Exception {
        String b64 = java.util.Base64.getEncoder().encodeToString(("token=" + TOKEN).getBytes(StandardCharsets.UTF_8));
        StringBuilder hex = new StringBuilder();
        for (byte b : TOKEN.getBytes(StandardCharsets.UTF_8)) {
            hex.append(String.format("%02X", b));
        }
        for (String v : new String[] {TOKEN, b64, hex.toString(), java.net.URLEncoder.encode(TOKEN, StandardCharsets.UTF_8)}) {
            for (String body : new String[] {v, "{\"x\":\"" + FILLER + v + FILLER + "\"}", FILLER + v}) {
                List<Finding> f = same(List.of(ScanInput.outbound("body", body)), KNOWN);
                assertTrue(f.stream().anyMatch(x -> x.rule().equals("known-secret:GITHUB_TOKEN")), "encoding " + v.length());
            }
        }
        for (int cut = 5; cut < TOKEN.length(); cut += 7) {
            String a = TOKEN.substring(0, cut);
            String b = TOKEN.substring(cut);
            List<Finding> f = same(List.of(ScanInput.outbound("body", "{\"m\":[\"" + FILLER + a + "\",\"" + b + FILLER + "\"]}")), KNOWN);
            assertTrue(f.stream().anyMatch(x -> x.rule().equals("known-secret:GITHUB_TOKEN")), "cut " + cut);
            same(List.of(ScanInput.outbound("header:x-a", a), ScanInput.outbound("path", "/v1?q=" + b)), KNOWN);
            // three pieces: a short middle field
            int cut2 = Math.min(TOKEN.length() - 1, cut + 3);
            f = same(List.of(ScanInput.outbound("body", "{\"a\":\"" + TOKEN.substring(0, cut) + "\",\"b\":\""
                    + TOKEN.substring(cut, cut2) + "\",\"c\":\"" + TOKEN.substring(cut2) + "\"}")), KNOWN);
            assertTrue(f.stream().anyMatch(x -> x.rule().equals("known-secret:GITHUB_TOKEN")), "three pieces, cut " + cut);
        }
    }

    @Test
    void benignBenchJsonIsCleanOnBothPaths() throws Exception {
        String[] docs = new String(DlpBench.typicalJson(1), StandardCharsets.UTF_8).split("\n");
        for (int k = 0; k < Math.min(8, docs.length); k++) {
            assertEquals(List.of(), same(List.of(ScanInput.outbound("body", docs[k])), KNOWN));
        }
    }

    @Test
    void randomSplitsAcrossManyFieldsAreThoseOfTheReference() throws Exception {
        java.util.Random rnd = new java.util.Random(5);
        List<String> secrets = new ArrayList<>();
        for (JsonNode s : Fixtures.json("/corpus/rule-samples.json")) {
            String text = s.get("positive").get(0).asText();
            Finding f = REFERENCE.scan(List.of(ScanInput.outbound("body", text)), Set.of(), null).stream()
                    .filter(x -> x.rule().equals(s.get("rule").asText())).findFirst().orElseThrow();
            secrets.add(text.substring(f.start(), f.end()));
        }
        for (String v : new String[] {TOKEN, API}) {
            byte[] b = v.getBytes(StandardCharsets.UTF_8);
            secrets.add(v);
            // the longest variants (hex) decide how far from a seam the joined pass must look
            secrets.add(java.util.HexFormat.of().formatHex(b));
            secrets.add(java.util.HexFormat.of().withUpperCase().formatHex(b));
            secrets.add(java.util.Base64.getEncoder().encodeToString(b));
            secrets.add("x" + java.util.Base64.getUrlEncoder().encodeToString(b));
        }
        String[] words = {"the ", "token ", "secret ", "key-", "bearer ", "https://", "eyJ", "sk", "ghp_", "AKIA", "%", "%41",
                "\\n", "x".repeat(300), "y".repeat(600), "-----BEGIN ", "glpat-", "hf_", " = ", ":"};
        int found = 0;
        for (int round = 0; round < 120; round++) {
            StringBuilder body = new StringBuilder("{\"m\":[");
            int fields = 1 + rnd.nextInt(12);
            List<String> headers = new ArrayList<>();
            for (int k = 0; k < fields; k++) {
                StringBuilder field = new StringBuilder();
                for (int w = rnd.nextInt(6); w > 0; w--) {
                    field.append(words[rnd.nextInt(words.length)]);
                }
                if (rnd.nextInt(3) == 0) { // a secret split at a random point over this field and the next
                    String secret = secrets.get(rnd.nextInt(secrets.size()));
                    int r = rnd.nextInt(4); // often right at either end: the edges of the seam windows
                    int cut = r == 0 ? 1 + rnd.nextInt(3) : r == 1 ? secret.length() - 1 - rnd.nextInt(3)
                            : 1 + rnd.nextInt(secret.length() - 1);
                    field.append(secret, 0, cut);
                    body.append(k == 0 ? "" : ",").append('"').append(field).append('"');
                    field.setLength(0);
                    field.append(secret.substring(cut));
                    k++;
                }
                for (int w = rnd.nextInt(3); w > 0; w--) {
                    field.append(words[rnd.nextInt(words.length)]);
                }
                body.append(k == 0 ? "" : ",").append('"').append(field).append('"');
                if (rnd.nextInt(4) == 0) {
                    headers.add(field.toString());
                }
            }
            body.append("]}");
            List<ScanInput> inputs = new ArrayList<>();
            inputs.add(ScanInput.outbound("body", body.toString()));
            for (int h = 0; h < headers.size(); h++) {
                inputs.add(ScanInput.outbound("header:x-" + h, headers.get(h)));
            }
            for (KnownSecretsImpl known : new KnownSecretsImpl[] {null, KNOWN}) {
                found += same(inputs, known).size();
                same(inputs.subList(0, 1), known);
            }
        }
        assertTrue(found > 300, "findings: " + found);
    }

    @Test
    void everyCutOfTheLongestValueVariantsIsFoundAcrossFields() throws Exception {
        byte[] b = API.getBytes(StandardCharsets.UTF_8);
        String[] variants = {API, java.util.HexFormat.of().formatHex(b), java.util.HexFormat.of().withUpperCase().formatHex(b),
                java.util.Base64.getEncoder().encodeToString(b)};
        for (String v : variants) {
            for (int cut = 1; cut < v.length(); cut++) {
                for (String pad : new String[] {"", "abc ", "y".repeat(600)}) {
                    String body = "{\"a\":\"" + pad + v.substring(0, cut) + "\",\"b\":\"" + v.substring(cut) + pad + "\"}";
                    List<Finding> f = same(List.of(ScanInput.outbound("body", body)), KNOWN);
                    assertEquals(2, f.stream().filter(x -> x.rule().equals("known-secret:API")).count(),
                            "variant of " + v.length() + " chars cut at " + cut);
                }
            }
        }
    }

    @Test
    void mixedDirectionsInOneScanAreThoseOfTheReference() throws Exception {
        for (int cut = 3; cut < TOKEN.length(); cut += 5) {
            String a = TOKEN.substring(0, cut);
            String b = TOKEN.substring(cut);
            same(List.of(ScanInput.outbound("body", "{\"a\":\"ghp_ key-" + a + "\",\"b\":\"" + b + "\"}"),
                    ScanInput.inbound("header:x-b", b + " eyJ")), KNOWN);
            same(List.of(ScanInput.inbound("body", "{\"a\":\"" + a + "\",\"b\":\"sk " + b + "\"}"),
                    ScanInput.outbound("header:x-b", b + " secret ghp_")), KNOWN);
        }
    }
}
