package bot.bottle.dlp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The applicable agent-egress-bench categories; figures are recorded in docs/dlp.md. */
class AgentEgressBenchTest {
    @Test
    void applicableCategories() throws Exception {
        EgressBench strict = new EgressBench().run(Fixtures.engine());
        EgressBench corpusMode = new EgressBench().run(EgressBench.withoutAwsExampleAllowlist());
        System.out.println(strict.table("default rules") + "failures: " + strict.failures + "\nskipped: " + strict.skipped);
        System.out.println(corpusMode.table("AWS example not allowlisted") + "failures: " + corpusMode.failures);
        int cases = strict.byCategory.values().stream().mapToInt(c -> c[1]).sum();
        assertTrue(cases >= 80, "applicable cases: " + cases);
        // Benign traffic of the corpus must pass in both modes.
        assertTrue(strict.failures.stream().noneMatch(f -> f.endsWith("expected allow")), strict.failures.toString());
        assertTrue(corpusMode.failures.stream().noneMatch(f -> f.endsWith("expected allow")), corpusMode.failures.toString());
    }
}
