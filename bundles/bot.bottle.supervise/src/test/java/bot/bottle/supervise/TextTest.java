package bot.bottle.supervise;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

import bot.bottle.supervise.text.HostPolicy;
import bot.bottle.supervise.text.Sanitizer;
import bot.bottle.supervise.text.UnifiedDiff;

class TextTest {

    @Test
    void sanitizerShowsEscapesAndBidiControlsVisibly() {
        String evil = "ok\u001b[2J\u001b]0;title\u0007 a\u202Eevil\u2066x\u200By\r\u009b";
        String s = Sanitizer.text(evil);
        assertFalse(s.chars().anyMatch(c -> c == 0x1b || c == 0x07 || c == 0x202E || c == 0x2066 || c == 0x200B
                || c == '\r' || c == 0x9b), s);
        assertTrue(s.contains("\\e[2J"), s);
        assertTrue(s.contains("<U+202E>"), s);
        assertTrue(s.contains("<U+200B>"), s);
        assertEquals("a\nb\tc", Sanitizer.text("a\nb\tc"));
        assertEquals("a\\nb", Sanitizer.line("a\nb"));
        assertEquals("héllo 日本", Sanitizer.text("héllo 日本"));
        assertTrue(Sanitizer.text("tag\uDB40\uDC41").contains("<U+E0041>"));
    }

    @Test
    void unifiedDiffShowsChangedLinesWithContext() {
        String a = "routes:\n  - host: a.com\n  - host: b.com\n";
        String b = "routes:\n  - host: a.com\n  - host: c.com\n  - host: b.com\n";
        String d = UnifiedDiff.diff(a, b, "current", "proposed");
        assertEquals("--- current\n+++ proposed\n@@ -1,3 +1,4 @@\n routes:\n   - host: a.com\n+  - host: c.com\n"
                + "   - host: b.com\n", d);
        assertEquals("", UnifiedDiff.diff(a, a, "x", "y"));
        String fromEmpty = UnifiedDiff.diff("", "x\n", "a", "b");
        assertTrue(fromEmpty.contains("@@ -0,0 +1,1 @@\n+x\n"), fromEmpty);
        String replaced = UnifiedDiff.diff("1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", "1\n2\n3\n4\nFIVE\n6\n7\n8\n9\n10\n",
                "a", "b");
        assertTrue(replaced.contains("@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+FIVE\n 6\n 7\n 8\n"), replaced);
    }

    @Test
    void hostsAreCanonicalisedAndPunycodeShown() {
        assertEquals("example.com", HostPolicy.canonical("Example.COM."));
        assertEquals("xn--pple-43d.com", HostPolicy.canonical("аpple.com")); // Cyrillic а
        assertTrue(HostPolicy.display("аpple.com").startsWith("xn--pple-43d.com (IDN: "));
        assertEquals("*.example.com", HostPolicy.canonical("*.Example.com"));
        assertThrows(IllegalArgumentException.class, () -> HostPolicy.canonical("bad host/x"));
    }

    @Test
    void metadataDohAndPrivateRangesAreDenied() {
        for (String h : new String[] {"169.254.169.254", "metadata.google.internal", "METADATA.google.internal.",
                "dns.google", "cloudflare-dns.com", "mozilla.cloudflare-dns.com", "1.1.1.1", "10.1.2.3",
                "172.20.0.1", "192.168.1.1", "127.0.0.1", "localhost", "foo.localhost", "printer.local",
                "0.0.0.0", "100.100.100.200", "[::1]", "fd00:ec2::254", "fe80::1", "::ffff:10.0.0.1",
                "2130706433", "0x7f.1", "127.1", "017.0.0.1", "*.internal", "2606:4700:4700::1111"}) {
            assertTrue(HostPolicy.denyReason(h).isPresent(), h);
        }
        for (String h : new String[] {"example.com", "api.github.com", "93.184.216.34", "pypi.org",
                "2606:2800:220:1:248:1893:25c8:1946", "registry.npmjs.org"}) {
            assertTrue(HostPolicy.denyReason(h).isEmpty(), h + " " + HostPolicy.denyReason(h));
        }
    }
}
