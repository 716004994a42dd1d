package bot.bottle.dlp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

import bot.bottle.api.dlp.Finding;
import bot.bottle.api.dlp.ScanInput;
import bot.bottle.dlp.detect.KnownSecretsImpl;
import bot.bottle.dlp.engine.DlpEngine;
import bot.bottle.dlp.engine.Normaliser;
import bot.bottle.dlp.engine.TextView;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** UTF-16 text inside decoded binary data, and quoted-printable text. */
class MoreEncodingsTest {
    private static final String GH = "ghp_" + "Q9w8E7r6T5y4U3i2O1p0A9s8D7f6G5h4J3k2";

    private static List<Finding> scan(String text, KnownSecretsImpl known) throws Exception {
        return Fixtures.engine().scan(List.of(ScanInput.outbound("body", text)), Set.of(), known);
    }

    private static String qp(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            sb.append(String.format("=%02X", b & 0xff));
        }
        return sb.toString();
    }

    @Test
    void utf16TextInBase64OrHexIsDecoded() throws Exception {
        KnownSecretsImpl known = new KnownSecretsImpl(Map.of("TOKEN", GH), null);
        for (java.nio.charset.Charset cs : new java.nio.charset.Charset[] {StandardCharsets.UTF_16LE, StandardCharsets.UTF_16BE}) {
            byte[] utf16 = ("token=" + GH).getBytes(cs);
            for (byte[] bytes : new byte[][] {utf16, concat(new byte[] {7}, utf16), concat(new byte[] {(byte) 0xfe, 1, 2}, utf16)}) {
                for (String encoded : new String[] {Base64.getEncoder().encodeToString(bytes), HexFormat.of().formatHex(bytes)}) {
                    String body = "{\"blob\":\"" + encoded + "\"}";
                    List<Finding> f = scan(body, known);
                    assertTrue(f.stream().anyMatch(x -> x.rule().equals("github-pat")), cs + " " + bytes.length);
                    assertTrue(f.stream().anyMatch(x -> x.rule().equals("known-secret:TOKEN")), cs + " " + bytes.length);
                    // the finding covers the encoded run, so redaction removes it
                    Finding g = f.stream().filter(x -> x.rule().equals("github-pat")).findFirst().orElseThrow();
                    assertEquals(body.indexOf(encoded), g.start());
                }
            }
        }
        // short UTF-16 strings stay below the strings threshold, like ASCII ones
        byte[] shortText = "abc".getBytes(StandardCharsets.UTF_16LE);
        assertEquals(1, new Normaliser().views(Base64.getEncoder().encodeToString(concat(new byte[] {7, 7, 7}, shortText))
                + " padding words").size());
    }

    @Test
    void quotedPrintableIsDecodedIntoAChildViewAndMapsBack() throws Exception {
        KnownSecretsImpl known = new KnownSecretsImpl(Map.of("TOKEN", GH), null);
        String half = GH.substring(0, 20);
        // fully escaped, soft line breaks, mixed with plain text, UTF-8 around it
        String[] bodies = {qp(GH), "Subject: x\r\n\r\n" + qp(half) + "=\r\n" + qp(GH.substring(20)) + "\r\n",
                "caf=C3=A9 token=3D" + GH.substring(0, 8) + "=" + "\n" + GH.substring(8) + " =41=42=43"};
        for (String body : bodies) {
            List<Finding> f = scan(body, known);
            assertTrue(f.stream().anyMatch(x -> x.rule().equals("github-pat")), body.length() + " chars");
            Finding g = f.stream().filter(x -> x.rule().equals("known-secret:TOKEN")).findFirst().orElseThrow();
            String covered = body.substring(g.start(), g.end());
            // the span covers exactly the encoded token (escapes and soft breaks), nothing around it
            assertTrue(covered.startsWith(body.contains("3D") ? GH.substring(0, 8) : "=67"), covered);
            String redacted = DlpEngine.redact(body, f);
            assertTrue(scan(redacted, known).isEmpty(), "redacted text scans clean");
        }
        // '=XX' in assignments and query strings is not decoded in place: the token after it is still found
        String query = "a=1F&key=AB&x=CD&token=" + GH;
        assertTrue(scan(query, null).stream().anyMatch(x -> x.rule().equals("github-pat")));
        // fewer than three escapes: no extra view
        assertEquals(1, new Normaliser().views("a=1F b=2E plain").size());
        List<TextView> views = new Normaliser().views(qp("hello world, long text"));
        assertEquals("hello world, long text", views.get(1).text());
        assertEquals("quoted-printable", views.get(1).layer());
    }

    @Test
    void newDecodingsKeepEveryDefaultRulesPositivesAndAddNoFalsePositives() throws Exception {
        // the corpus figures hold with the new decoders (SyntheticCorpusTest asserts recall and zero false
        // positives); here: each positive sample, UTF-16LE in base64 and quoted-printable, is found
        for (JsonNode s : Fixtures.json("/corpus/rule-samples.json")) {
            String rule = s.get("rule").asText();
            String text = s.get("positive").get(0).asText();
            String b64 = Base64.getEncoder().encodeToString(concat(new byte[] {1}, text.getBytes(StandardCharsets.UTF_16LE)));
            for (String body : new String[] {"{\"blob\":\"" + b64 + "\"}", qp(text)}) {
                assertTrue(scan(body, null).stream().anyMatch(x -> x.rule().equals(rule)), rule);
            }
        }
        for (JsonNode b : Fixtures.jsonl("/corpus/benign.jsonl")) {
            List<Finding> f = scan(b.get("text").asText(), null);
            assertTrue(f.stream().allMatch(x -> x.severity() == Finding.Severity.INFO), b.get("kind").asText());
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
