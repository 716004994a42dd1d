package bot.bottle.dlp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The labelled synthetic corpus: recall per format, evasions, and zero false positives on benign traffic. */
class SyntheticCorpusTest {
    @Test
    void meetsTheTargets() throws Exception {
        CorpusRunner r = new CorpusRunner().run(Fixtures.engine());
        System.out.println("recall " + CorpusRunner.rate(r.recallByFormat) + "% evasions " + CorpusRunner.rate(r.evasionByKind)
                + "% misses " + r.misses + " fps " + r.falsePositives);
        assertTrue(CorpusRunner.rate(r.recallByFormat) >= 99.0, "recall: " + r.misses);
        assertEquals(List.of(), r.falsePositives);
        assertTrue(CorpusRunner.rate(r.evasionByKind) >= 95.0, "evasions: " + r.misses);
    }
}
