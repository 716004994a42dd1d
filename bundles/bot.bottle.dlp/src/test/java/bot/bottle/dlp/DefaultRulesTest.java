package bot.bottle.dlp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import bot.bottle.api.dlp.Finding;
import bot.bottle.api.dlp.Finding.Severity;
import bot.bottle.api.dlp.ScanInput;
import bot.bottle.dlp.detect.TokenPatternDetector;
import bot.bottle.dlp.rules.Rule;
import bot.bottle.dlp.rules.RulePack;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** Every default rule has positive and negative samples, and each sample behaves. */
class DefaultRulesTest {
    private final TokenPatternDetector detector = (TokenPatternDetector) Fixtures.builtins().get("token_patterns");

    private Set<String> rulesFound(String text) {
        return detector.scan(ScanInput.outbound("body", text)).stream().map(Finding::rule).collect(Collectors.toSet());
    }

    @Test
    void packCoversAtLeastThirtyVendorFormatsAndEveryRuleHasKeywords() throws Exception {
        RulePack pack = RulePack.defaults();
        assertTrue(pack.rules().size() >= 30, "rules: " + pack.rules().size());
        for (Rule r : pack.rules()) {
            assertFalse(r.keywords().isEmpty(), r.id() + " has no keyword: its regex would run on every byte");
        }
        assertTrue(pack.skipped().isEmpty());
    }

    @Test
    void everyRuleHasSamplesAndEachSampleBehaves() throws Exception {
        JsonNode samples = Fixtures.json("/corpus/rule-samples.json");
        Set<String> covered = new HashSet<>();
        List<String> failures = new ArrayList<>();
        for (JsonNode s : samples) {
            String rule = s.get("rule").asText();
            assertTrue(s.get("positive").size() >= 1 && s.get("negative").size() >= 1, rule);
            covered.add(rule);
            for (JsonNode p : s.get("positive")) {
                if (!rulesFound(p.asText()).contains(rule)) {
                    failures.add(rule + " missed a positive sample");
                }
            }
            for (JsonNode n : s.get("negative")) {
                if (rulesFound(n.asText()).contains(rule)) {
                    failures.add(rule + " matched negative sample #" + failures.size());
                }
            }
        }
        assertEquals(List.of(), failures);
        Set<String> ids = RulePack.defaults().rules().stream().map(Rule::id).collect(Collectors.toSet());
        assertEquals(ids, covered, "every rule needs samples");
    }

    @Test
    void onlyTheExactDocumentedAwsExampleIsAllowlisted() {
        assertFalse(rulesFound("key=AKIAIOSFODNN7EXAMPLE&x=1").contains("aws-access-key-id"));
        assertFalse(rulesFound("AKIAI44QH8DHBEXAMPLE").contains("aws-access-key-id"));
        // Ends in EXAMPLE, but is not the documented key: still a finding (SECURITY-NOTES 13).
        assertTrue(rulesFound("key=AKIAZZZZZZZZZEXAMPLE&x=1").contains("aws-access-key-id"));
        assertTrue(rulesFound("key=AKIAIOSFODNN6EXAMPLE").contains("aws-access-key-id"));
        assertFalse(rulesFound("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY").contains("aws-secret-access-key"));
        assertTrue(rulesFound("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEZ").contains("aws-secret-access-key"));
    }

    @Test
    void failedChecksumLowersSeverityButNeverSilences() {
        String body = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcd";
        String valid = "ghp_" + body + bot.bottle.dlp.rules.Checksum.base62Crc32(body);
        String invalid = "ghp_" + body + "000000";
        List<Finding> ok = detector.scan(ScanInput.outbound("h", "token=" + valid));
        List<Finding> bad = detector.scan(ScanInput.outbound("h", "token=" + invalid));
        assertEquals(Severity.HIGH, ok.get(0).severity());
        assertEquals(1, bad.size());
        assertEquals(Severity.LOW, bad.get(0).severity());
        String npmBody = "0123456789abcdefghijABCDEFGHIJ";
        assertEquals(Severity.HIGH, detector.scan(ScanInput.outbound("b",
                "npm_" + npmBody + bot.bottle.dlp.rules.Checksum.base62Crc32(npmBody))).get(0).severity());
    }

    @Test
    void findingSpanIsTheSecretNotItsContext() {
        String text = "aws_secret_access_key = \"abcdEFGHijklMNOPqrstUVWXyz0123456789/+ab\"";
        List<Finding> f = detector.scan(ScanInput.outbound("env", text));
        assertEquals(1, f.size());
        assertEquals("abcdEFGHijklMNOPqrstUVWXyz0123456789/+ab", text.substring(f.get(0).start(), f.get(0).end()));
    }
}
