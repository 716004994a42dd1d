package bot.bottle.demo.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import bot.bottle.dlp.rules.Checksum;

class SecretsTest {

    @Test
    void githubTokenHasTheShapeAndChecksumTheDlpRulesTrust() {
        String t = Secrets.githubClassicToken();
        assertTrue(t.matches("ghp_[0-9A-Za-z]{36}"), t);
        // the DLP bundle's own checksum: a valid one makes the finding HIGH, so outbound_on_match applies
        assertTrue(Checksum.BASE62_CRC32.valid(t), t);
        String broken = t.substring(0, 39) + (t.charAt(39) == 'a' ? 'b' : 'a');
        assertFalse(Checksum.BASE62_CRC32.valid(broken), "control: a changed checksum is invalid");
        assertNotEquals(t, Secrets.githubClassicToken());
    }

    @Test
    void dnsLabelFitsOneLabel() {
        String label = Secrets.dnsLabel(Secrets.githubClassicToken());
        assertTrue(label.length() <= 63 && label.matches("[0-9a-f]+"), label);
    }

    @Test
    void maskShowsAPrefixAndTheLengthOnly() {
        assertEquals("demo_123…(20 chars)", Secrets.mask("demo_123456789abcdef"));
        assertEquals("(3 chars)", Secrets.mask("abc"));
        assertTrue(Secrets.apiToken().matches("demo_[0-9a-f]{48}"));
    }
}
