package bot.bottle.dlp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

import bot.bottle.api.dlp.Finding;
import bot.bottle.api.dlp.Finding.Severity;
import bot.bottle.api.dlp.KnownSecrets;
import bot.bottle.api.dlp.ScanInput;
import bot.bottle.dlp.engine.DlpScannerImpl;
import org.junit.jupiter.api.Test;

class KnownSecretsTest {
    static final String TOKEN = "s3cr3t-Token/Value+with=odd:chars";
    static final String CANARY = "bb-canary-Zm9vYmFyYmF6cXV4cXV1eA";
    private final DlpScannerImpl scanner = Fixtures.scanner();
    private final KnownSecrets known = scanner.knownSecrets(Map.of("MY_TOKEN", TOKEN), CANARY);

    private List<Finding> outbound(String text) throws Exception {
        return scanner.scan(List.of(ScanInput.outbound("body", text)), Set.of("known_secrets"), known);
    }

    private static String pct(String s, boolean twice) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            sb.append(twice ? "%25" : "%").append(String.format("%02X", b));
        }
        return sb.toString();
    }

    @Test
    void literalAndEveryEncodingIsFound() throws Exception {
        byte[] bytes = TOKEN.getBytes(StandardCharsets.UTF_8);
        List<String> forms = List.of(TOKEN, Base64.getEncoder().encodeToString(bytes),
                Base64.getUrlEncoder().withoutPadding().encodeToString(bytes), HexFormat.of().formatHex(bytes),
                HexFormat.of().withUpperCase().formatHex(bytes), URLEncoder.encode(TOKEN, StandardCharsets.UTF_8),
                pct(TOKEN, false), pct(TOKEN, true));
        for (String f : forms) {
            List<Finding> found = outbound("prefix " + f + " suffix");
            assertTrue(found.stream().anyMatch(x -> x.rule().equals("known-secret:MY_TOKEN") && x.severity() == Severity.CERTAIN),
                    "form #" + forms.indexOf(f));
        }
    }

    @Test
    void foundInsideALargerBase64BlobAtEveryAlignment() throws Exception {
        for (int pad = 0; pad < 3; pad++) {
            String blob = "x".repeat(pad) + "{\"t\":\"" + TOKEN + "\"}";
            String enc = Base64.getEncoder().encodeToString(blob.getBytes(StandardCharsets.UTF_8));
            assertFalse(outbound("data=" + enc).isEmpty(), "alignment " + pad);
        }
    }

    @Test
    void canaryIsCertainWithItsOwnRuleAndInboundReflectionIsFound() throws Exception {
        List<Finding> f = outbound("env: BOT_BOTTLE_CANARY=" + CANARY);
        assertEquals(1, f.size());
        assertEquals("canary", f.get(0).rule());
        assertEquals(Severity.CERTAIN, f.get(0).severity());
        List<Finding> in = scanner.scan(List.of(ScanInput.inbound("body", "{\"headers\":{\"Authorization\":\"" + TOKEN + "\"}}")),
                Set.of(), known);
        assertTrue(in.stream().anyMatch(x -> x.detector().equals("known_secrets")));
    }

    @Test
    void splitAcrossHeadersOrJsonFieldsIsFound() throws Exception {
        String a = TOKEN.substring(0, 10);
        String b = TOKEN.substring(10);
        List<Finding> f = scanner.scan(List.of(ScanInput.outbound("header:x-a", a), ScanInput.outbound("header:x-b", b)),
                Set.of("known_secrets"), known);
        assertEquals(Set.of("header:x-a", "header:x-b"), Set.copyOf(f.stream().map(Finding::surface).toList()));
        String json = "{\"first\":\"" + a + "\",\"second\":\"" + b + "\"}";
        List<Finding> g = outbound(json);
        assertEquals(2, g.size());
        assertEquals(a, json.substring(g.get(0).start(), g.get(0).end()));
    }

    @Test
    void shortValuesAreRefusedWithoutTheirValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> scanner.knownSecrets(Map.of("PIN", "1234"), ""));
        assertTrue(e.getMessage().contains("PIN"));
        assertFalse(e.getMessage().contains("1234"));
        assertFalse(known.toString().contains(TOKEN));
        assertEquals(2, known.size());
    }
}
