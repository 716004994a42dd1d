package bot.bottle.demo.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import bot.bottle.demo.core.Narrator.Outcome;

class NarratorTest {
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
    private final Narrator n = new Narrator(new PrintStream(buf, true, StandardCharsets.UTF_8));

    private String out() {
        return buf.toString(StandardCharsets.UTF_8);
    }

    @Test
    void narratesBeforeAndAfterWithEvidence() {
        n.begin("a", "allowed call", "200", "curl https://api.demo.test/");
        assertTrue(n.open());
        n.check(true, "status 200\nsecond line");
        assertFalse(n.open());
        String o = out();
        assertTrue(o.contains("(a) allowed call\n"), o);
        assertTrue(o.contains("    the agent: curl https://api.demo.test/\n"), o);
        assertTrue(o.contains("    expected:  200\n"), o);
        assertTrue(o.contains("    PASS  status 200 second line\n"), o);
        assertEquals("status 200 second line", n.results().get(0).evidence());
    }

    @Test
    void summaryIsAnAlignedTableWithACount() {
        n.begin("a", "short", "200", "x");
        n.end(Outcome.PASS, "ok");
        n.begin("b", "a much longer guard name", "403 host-not-allowed", "y");
        n.end(Outcome.FAIL, "got 200");
        String[] lines = n.summary().split("\n");
        assertEquals(5, lines.length);
        assertTrue(lines[0].startsWith("guard"));
        int col = lines[0].indexOf("expected");
        assertEquals(col, lines[2].indexOf("200"), n.summary());
        assertEquals(col, lines[3].indexOf("403 host-not-allowed"), n.summary());
        assertEquals(lines[0].indexOf("result"), lines[2].indexOf("PASS"), n.summary());
        assertEquals(lines[0].indexOf("result"), lines[3].indexOf("FAIL"), n.summary());
        assertTrue(lines[3].startsWith("(b) a much longer guard name  "), n.summary());
        assertEquals("1 of 2 guards held", lines[4]);
    }

    @Test
    void allHeldOnlyWhenEveryGuardRanAndPassed() {
        assertFalse(n.allHeld(), "nothing ran: nothing held");
        n.begin("a", "g", "e", "x");
        n.end(Outcome.PASS, "");
        assertTrue(n.allHeld());
        n.begin("b", "g", "e", "x");
        n.end(Outcome.SKIP, "could not run");
        assertFalse(n.allHeld(), "a skipped guard is not a held guard");
    }

    @Test
    void endWithoutBeginIsAProgrammingError() {
        assertThrows(IllegalStateException.class, () -> n.end(Outcome.PASS, ""));
    }

    @Test
    void evidenceIsOneClippedLine() {
        assertEquals("a b c", Narrator.oneLine("a\r\n\tb\u001b c"));
        String longText = "x".repeat(1000);
        assertEquals(400, Narrator.oneLine(longText).length());
        assertEquals("", Narrator.oneLine(null));
    }
}
