package bot.bottle.dlp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import bot.bottle.api.dlp.Finding;
import bot.bottle.api.dlp.ScanInput;
import bot.bottle.dlp.detect.TokenPatternDetector;
import bot.bottle.dlp.rules.RegexDialect;
import bot.bottle.dlp.rules.RuleLoadException;
import bot.bottle.dlp.rules.RulePack;
import org.junit.jupiter.api.Test;

/** gitleaks' own default config loads and works in this engine (regex dialect, keywords, entropy, allowlists). */
class GitleaksConfigTest {
    private static RulePack gitleaks() throws Exception {
        return RulePack.loadForeign(Files.readString(Fixtures.corpora().resolve("gitleaks/gitleaks.toml")), "gitleaks.toml");
    }

    private static Set<String> rules(TokenPatternDetector d, String text) {
        return d.scan(ScanInput.outbound("file", text)).stream().map(Finding::rule).collect(Collectors.toSet());
    }

    @Test
    void loadsAllRegexRulesAndReportsThePathOnlyOne() throws Exception {
        RulePack pack = gitleaks();
        assertEquals(221, pack.rules().size());
        assertEquals(1, pack.skipped().size());
        assertTrue(pack.skipped().get(0).startsWith("pkcs12-file:"), pack.skipped().toString());
    }

    @Test
    void detectsWithKeywordsEntropyAndAllowlists() throws Exception {
        TokenPatternDetector d = new TokenPatternDetector(gitleaks());
        String body = "q8Fz2LmW0pXr5TnB7vKc9YhJ3dGs1A";
        String gh = "ghp_" + body + bot.bottle.dlp.rules.Checksum.base62Crc32(body);
        assertTrue(rules(d, "export GITHUB_TOKEN=" + gh).contains("github-pat"));
        assertTrue(rules(d, "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc" + " used").contains("stripe-access-token"));
        // entropy: a low-entropy generic value is not reported
        assertFalse(rules(d, "api_key = \"aaaaaaaaaaaaaaaaaaaa\"").contains("generic-api-key"));
        assertTrue(rules(d, "api_key = \"Zx81Kq0PmW3vT7rYb5Nc\"").contains("generic-api-key"));
        // gitleaks' own allowlist for AWS keys ending in EXAMPLE is the user's choice when they bring it
        assertFalse(rules(d, "AKIAIOSFODNN7EXAMPLE").contains("aws-access-token"));
        assertTrue(rules(d, "AKIAQWERTYUIOPASDFGH").contains("aws-access-token"));
    }

    @Test
    void ourRulesFailLoudlyAndForeignRulesAreSkippedByName() throws Exception {
        String bad = "[[rules]]\nid = \"broken\"\nregex = '''(?=lookahead)x'''\nkeywords = [\"x\"]\n"
                + "[[rules]]\nid = \"ok\"\nregex = '''x[0-9]{4}'''\nkeywords = [\"x\"]\n";
        RuleLoadException e = assertThrows(RuleLoadException.class, () -> RulePack.loadStrict(bad, "mine.toml"));
        assertTrue(e.getMessage().contains("broken") && e.getMessage().contains("mine.toml"), e.getMessage());
        RulePack foreign = RulePack.loadForeign(bad, "theirs.toml");
        assertEquals(List.of("ok"), foreign.rules().stream().map(r -> r.id()).toList());
        assertTrue(foreign.skipped().get(0).startsWith("broken:"));
        assertThrows(RuleLoadException.class, () -> RulePack.loadForeign("rules = 3", "x.toml"));
        assertThrows(RuleLoadException.class, () -> RulePack.loadForeign("[[rules]\nid=", "x.toml"));
    }

    @Test
    void useDefaultExtendsWithTheBundledPack() throws Exception {
        RulePack p = RulePack.loadForeign("[extend]\nuseDefault = true\ndisabledRules = [\"jwt\"]\n"
                + "[[rules]]\nid = \"customer\"\nregex = '''CUST-[0-9]{8}'''\nkeywords = [\"cust-\"]\n", "ext.toml");
        Set<String> ids = p.rules().stream().map(r -> r.id()).collect(Collectors.toSet());
        assertTrue(ids.contains("customer") && ids.contains("github-pat") && !ids.contains("jwt"));
    }

    @Test
    void goNamedGroupsAreTranslated() {
        assertEquals("(?P<key>a)", bot.bottle.dlp.rules.RegexDialectAccess.translate("(?<key>a)"));
        assertEquals("[(?<]x", bot.bottle.dlp.rules.RegexDialectAccess.translate("[(?<]x"));
        assertTrue(RegexDialect.compile("(?<key>ab)c").matcher("xabc").find());
        assertTrue(RegexDialect.check("(?=x)") != null);
    }

    @Test
    void noRuleBacktracksOnAMegabyteOfAdversarialInput() throws Exception {
        TokenPatternDetector d = new TokenPatternDetector(gitleaks());
        String evil = ("aws_secret_access_key = \"" + "a".repeat(30) + "-----BEGIN PRIVATE KEY----- key= ghp_").repeat(12_000);
        long t0 = System.nanoTime();
        d.scan(ScanInput.outbound("f", evil));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 60_000, "took " + ms + " ms");
    }
}
