package bot.bottle.dlp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.Inflater;

import bot.bottle.api.dlp.Direction;
import bot.bottle.api.dlp.DlpDetector;
import bot.bottle.api.dlp.DlpException;
import bot.bottle.api.dlp.Finding;
import bot.bottle.api.dlp.Finding.Severity;
import bot.bottle.api.dlp.ScanInput;
import bot.bottle.dlp.detect.TokenPatternDetector;
import bot.bottle.dlp.engine.DlpEngine;
import bot.bottle.dlp.rules.RulePack;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * Runs the applicable agent-egress-bench cases (shared/corpora/agent-egress-bench) through the engine the
 * way the proxy would present them, and tallies the pass rate per category. Shared by the test and the
 * bench script.
 */
public final class EgressBench {
    /** Categories that test something other than content DLP (egress routing, SSRF, shell analysis...). */
    static final Set<String> SKIPPED_CATEGORIES = Set.of("ssrf-bypass", "hostname-exfiltration", "shell-obfuscation",
            "mcp-chain", "crypto-financial");
    /** Case tags for non-DLP checks inside applicable categories (decided by the proxy's routes). */
    static final Set<String> SKIPPED_TAGS = Set.of("ssrf", "ssrf_bypass", "domain_blocklist", "entropy", "hostname_exfil",
            "mcp_chain", "shell_obfuscation", "crypto_dlp");
    static final Set<String> SKIPPED_REQUIRES = Set.of("mcp_tool_baseline", "mcp_chain_memory", "shell_analysis");

    public final Map<String, int[]> byCategory = new TreeMap<>();
    public final List<String> failures = new ArrayList<>();
    public int skipped;

    public static DlpEngine withoutAwsExampleAllowlist() throws Exception {
        String toml;
        try (var in = RulePack.class.getResourceAsStream("default-rules.toml")) {
            toml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        StringBuilder kept = new StringBuilder();
        for (String line : toml.split("\n")) {
            if (!line.contains("EXAMPLE")) {
                kept.append(line).append('\n');
            }
        }
        Map<String, DlpDetector> m = new TreeMap<>(Fixtures.builtins());
        m.put(TokenPatternDetector.ID, new TokenPatternDetector(RulePack.loadStrict(kept.toString().replace(
                "  [[rules.allowlists]]\n\n", "\n"), "default-rules-without-aws-example")));
        return new DlpEngine(m);
    }

    public EgressBench run(DlpEngine engine) throws Exception {
        Path cases = Fixtures.corpora().resolve("agent-egress-bench/cases");
        List<Path> files;
        try (Stream<Path> s = Files.walk(cases)) {
            files = s.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        for (Path f : files) {
            String category = f.getParent().getFileName().toString();
            JsonNode c = Fixtures.JSON.readTree(f.toFile());
            if (SKIPPED_CATEGORIES.contains(category) || skip(c)) {
                skipped++;
                continue;
            }
            boolean expectBlock = c.get("expected_verdict").asText().equals("block");
            boolean blocked = verdict(engine, c);
            int[] n = byCategory.computeIfAbsent(category, k -> new int[2]);
            n[1]++;
            if (blocked == expectBlock) {
                n[0]++;
            } else {
                failures.add(c.get("id").asText() + " expected " + (expectBlock ? "block" : "allow"));
            }
        }
        return this;
    }

    private static boolean skip(JsonNode c) {
        for (JsonNode t : c.path("capability_tags")) {
            if (SKIPPED_TAGS.contains(t.asText())) {
                return true;
            }
        }
        for (JsonNode t : c.path("requires")) {
            if (SKIPPED_REQUIRES.contains(t.asText())) {
                return true;
            }
        }
        return c.get("id").asText().contains("drift"); // card drift needs a stored baseline, not content scanning
    }

    /** Block = an actionable outbound finding, any inbound finding (taint), or a scan failure (fail closed). */
    static boolean verdict(DlpEngine engine, JsonNode c) {
        JsonNode p = c.get("payload");
        String type = c.get("input_type").asText();
        List<ScanInput> out = new ArrayList<>();
        List<ScanInput> in = new ArrayList<>();
        try {
            switch (type) {
                case "url", "header", "request_body" -> {
                    if (p.has("url")) {
                        out.add(ScanInput.outbound("path", pathOf(p.get("url").asText())));
                    }
                    Iterator<Map.Entry<String, JsonNode>> h = p.path("headers").fields();
                    while (h.hasNext()) {
                        Map.Entry<String, JsonNode> e = h.next();
                        out.add(ScanInput.outbound("header:" + e.getKey().toLowerCase(), e.getValue().asText()));
                    }
                    if (p.has("body")) {
                        out.add(ScanInput.outbound("body", p.get("body").asText()));
                    }
                }
                case "mcp_tool_call", "a2a_message" -> {
                    String body = bodyOf(p);
                    out.add(ScanInput.outbound("body", body));
                    in.add(ScanInput.inbound("body", body));
                }
                case "websocket_frame" -> {
                    int i = 0;
                    for (JsonNode fr : p.get("frames")) {
                        out.add(ScanInput.outbound("ws:frame#" + i++, frameText(fr)));
                    }
                }
                default -> in.add(ScanInput.inbound("body", bodyOf(p)));
            }
            List<Finding> f = new ArrayList<>();
            if (!out.isEmpty()) {
                f.addAll(engine.scan(out, Set.of(), null).stream().filter(x -> x.severity() != Severity.INFO).toList());
            }
            if (!in.isEmpty()) {
                f.addAll(engine.scan(in, Set.of(), null));
            }
            return !f.isEmpty();
        } catch (DlpException | IllegalArgumentException e) {
            return true;
        }
    }

    private static String bodyOf(JsonNode p) {
        if (p.has("response_body")) {
            return p.get("response_body").asText();
        }
        if (p.has("jsonrpc_messages")) {
            StringBuilder sb = new StringBuilder();
            p.get("jsonrpc_messages").forEach(m -> sb.append(m.toString()).append('\n'));
            return sb.toString();
        }
        return p.toString();
    }

    private static String pathOf(String url) {
        int scheme = url.indexOf("://");
        int slash = scheme < 0 ? -1 : url.indexOf('/', scheme + 3);
        return slash < 0 ? "/" : url.substring(slash);
    }

    /** A WebSocket frame as the proxy sees it: binary frames are raw bytes, rsv1 frames must inflate. */
    private static String frameText(JsonNode fr) throws DlpException {
        String payload = fr.get("payload").asText();
        byte[] bytes = "base64".equals(fr.path("encoding").asText()) ? Base64.getDecoder().decode(payload)
                : payload.getBytes(StandardCharsets.UTF_8);
        if (fr.path("rsv1").asBoolean(false)) {
            Inflater inf = new Inflater(true);
            inf.setInput(bytes);
            ByteArrayOutputStream o = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            try {
                while (!inf.finished()) {
                    int n = inf.inflate(buf);
                    if (n == 0 && (inf.needsInput() || inf.needsDictionary())) {
                        break;
                    }
                    o.write(buf, 0, n);
                }
            } catch (java.util.zip.DataFormatException e) {
                throw new DlpException("compressed frame does not inflate: refused");
            } finally {
                inf.end();
            }
            bytes = o.toByteArray();
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    public String table(String title) {
        StringBuilder sb = new StringBuilder("| category (" + title + ") | passed | cases | rate |\n|---|---|---|---|\n");
        int p = 0;
        int t = 0;
        for (Map.Entry<String, int[]> e : byCategory.entrySet()) {
            sb.append(String.format("| %s | %d | %d | %.0f%% |%n", e.getKey(), e.getValue()[0], e.getValue()[1],
                    100.0 * e.getValue()[0] / e.getValue()[1]));
            p += e.getValue()[0];
            t += e.getValue()[1];
        }
        sb.append(String.format("| **all applicable** | %d | %d | %.0f%% |%n", p, t, 100.0 * p / t));
        return sb.toString();
    }

    static Direction unused() {
        return Direction.OUTBOUND;
    }
}
