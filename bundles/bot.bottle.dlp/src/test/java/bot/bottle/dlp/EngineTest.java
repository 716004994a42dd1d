package bot.bottle.dlp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import bot.bottle.api.dlp.DlpDetector;
import bot.bottle.api.dlp.DlpException;
import bot.bottle.api.dlp.Finding;
import bot.bottle.api.dlp.Finding.Severity;
import bot.bottle.api.dlp.ScanInput;
import bot.bottle.dlp.engine.DlpScannerImpl;
import org.junit.jupiter.api.Test;

class EngineTest {
    static final String GH_BODY = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcd";
    static final String GH = "ghp_" + GH_BODY + bot.bottle.dlp.rules.Checksum.base62Crc32(GH_BODY);

    private static List<Finding> scan(DlpScannerImpl s, String surface, String text) throws DlpException {
        return s.scan(List.of(ScanInput.outbound(surface, text)), Set.of(), null);
    }

    @Test
    void secretInsideBase64ReportsTheWholeRunAndRedactsIt() throws Exception {
        DlpScannerImpl s = Fixtures.scanner();
        String enc = Base64.getEncoder().encodeToString(("token=" + GH).getBytes(StandardCharsets.UTF_8));
        String body = "{\"blob\":\"" + enc + "\",\"n\":1}";
        List<Finding> f = scan(s, "body", body);
        assertEquals(1, f.size());
        assertEquals(enc, body.substring(f.get(0).start(), f.get(0).end()));
        String red = s.redact(body, f);
        assertEquals("{\"blob\":\"[REDACTED:github-pat]\",\"n\":1}", red);
        assertTrue(scan(s, "body", red).isEmpty(), "redacted text re-scans clean");
    }

    @Test
    void percentEncodedAndZeroWidthSecretsMapToTheirOriginalSpan() throws Exception {
        DlpScannerImpl s = Fixtures.scanner();
        StringBuilder pct = new StringBuilder();
        for (char c : GH.toCharArray()) {
            pct.append('%').append(String.format("%02X", (int) c));
        }
        String path = "/x?a=1&t=" + pct + "&b=2";
        List<Finding> f = scan(s, "path", path);
        assertEquals(pct.toString(), path.substring(f.get(0).start(), f.get(0).end()));
        String zw = GH.substring(0, 10) + "\u200B" + GH.substring(10);
        String text = "k: " + zw + " end";
        List<Finding> g = scan(s, "body", text);
        assertEquals(zw, text.substring(g.get(0).start(), g.get(0).end()));
    }

    @Test
    void headerNameIsContextForTheValue() throws Exception {
        DlpScannerImpl s = Fixtures.scanner();
        String value = "abcdEFGHijklMNOPqrstUVWXyz0123456789/+ab";
        List<Finding> f = scan(s, "header:x-amz-secret-key", value);
        assertEquals(1, f.size());
        assertEquals(0, f.get(0).start());
        assertEquals(value.length(), f.get(0).end());
        assertTrue(scan(s, "header:x-request-id", value).isEmpty());
    }

    @Test
    void missingSelectedDetectorOrThrowingDetectorFailsClosed() {
        DlpScannerImpl s = Fixtures.scanner();
        DlpException missing = assertThrows(DlpException.class,
                () -> s.scan(List.of(ScanInput.outbound("body", "x")), Set.of("customer_id"), null));
        assertTrue(missing.getMessage().contains("customer_id"));
        Map<String, DlpDetector> m = new HashMap<>(Fixtures.builtins());
        m.put("boom", new DlpDetector() {
            @Override
            public String id() {
                return "boom";
            }

            @Override
            public List<Finding> scan(ScanInput input) {
                throw new IllegalStateException("leaks " + input.text());
            }
        });
        DlpException e = assertThrows(DlpException.class, () -> scan(new DlpScannerImpl(m), "body", "SECRET-CONTENT"));
        assertTrue(e.getMessage().contains("boom"));
        assertFalse(e.getMessage().contains("SECRET-CONTENT"), "the exception must not carry content");
    }

    @Test
    void detectorsBindAndUnbindDynamically() throws Exception {
        DlpScannerImpl s = new DlpScannerImpl();
        DlpDetector cust = new DlpDetector() {
            @Override
            public String id() {
                return "cust";
            }

            @Override
            public List<Finding> scan(ScanInput input) {
                int i = input.text().toString().indexOf("CUST-");
                return i < 0 ? List.of() : List.of(new Finding("cust", "customer-id", input.surface(), i, i + 13, Severity.HIGH));
            }
        };
        assertTrue(scan(s, "body", "id CUST-12345678").isEmpty());
        s.bindDetector(cust, Map.of(DlpDetector.ID_PROPERTY, "cust"));
        assertEquals("cust", scan(s, "body", "id CUST-12345678").get(0).detector());
        assertEquals(1, s.scan(List.of(ScanInput.outbound("body", "CUST-12345678")), Set.of("cust"), null).size());
        s.unbindDetector(cust, Map.of(DlpDetector.ID_PROPERTY, "cust"));
        assertTrue(scan(s, "body", "id CUST-12345678").isEmpty());
        assertThrows(DlpException.class, () -> s.scan(List.of(ScanInput.outbound("b", "x")), Set.of("cust"), null));
    }

    @Test
    void redactMergesOverlapsAndClamps() {
        DlpScannerImpl s = Fixtures.scanner();
        List<Finding> f = List.of(new Finding("d", "a", "b", 2, 6, Severity.HIGH), new Finding("d", "b", "b", 4, 9, Severity.HIGH),
                new Finding("d", "c", "b", 12, 99, Severity.LOW));
        assertEquals("01[REDACTED:a]9ab[REDACTED:c]", s.redact("0123456789abcdef", f));
    }

    @Test
    void splitPatternAcrossJsonFieldsIsFound() throws Exception {
        String body = "{\"a\":\"" + GH.substring(0, 12) + "\",\"b\":\"" + GH.substring(12) + "\"}";
        List<Finding> f = scan(Fixtures.scanner(), "body", body);
        assertEquals(2, f.size());
        assertEquals("github-pat", f.get(0).rule());
    }

    @Test
    void oversizedInputFailsClosed() {
        String big = "a".repeat(bot.bottle.dlp.engine.DlpEngine.MAX_INPUT_CHARS + 1);
        assertThrows(DlpException.class, () -> scan(Fixtures.scanner(), "body", big));
    }
}
