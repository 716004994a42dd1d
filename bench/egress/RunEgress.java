import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import bot.bottle.api.dlp.DlpScanner;
import bot.bottle.api.dlp.Finding;
import bot.bottle.api.dlp.KnownSecrets;
import bot.bottle.api.dlp.ScanInput;
import bot.bottle.api.text.LiteralSet;
import bot.bottle.egress.proxy.EgressServer;
import bot.bottle.egress.proxy.ResolvePin;

/**
 * Benchmark launcher: our proxy with a stand-in scanner doing the same work as the mitmproxy addon
 * (the same token regexes over every header, the path and the body, both ways, plus a known-secret
 * search), with a multi-literal keyword prefilter before each regex as a real engine would (the product's
 * {@link LiteralSet}, which the proxy's reflection guard uses too).
 * args: ROUTES STATE LISTEN_PORT UPSTREAM_CA PIN
 */
public class RunEgress {
    static final String[][] RULES = {
            {"ghp_", "ghp_[A-Za-z0-9]{36}"}, {"github_pat_", "github_pat_[A-Za-z0-9_]{82}"},
            {"glpat-", "glpat-[A-Za-z0-9_-]{20}"}, {"AKIA", "AKIA[0-9A-Z]{16}"},
            {"xox", "xox[baprs]-[A-Za-z0-9-]{10,48}"}, {"sk-", "sk-[A-Za-z0-9_-]{40,}"},
            {"AIza", "AIza[0-9A-Za-z_-]{35}"}, {"-----BEGIN", "-----BEGIN [A-Z ]*PRIVATE KEY-----"},
            {"npm_", "npm_[A-Za-z0-9]{36}"}, {"xoxe", "xoxe-[0-9]-[A-Za-z0-9]{100,}"}};
    static final Pattern[] PATTERNS = new Pattern[RULES.length];

    static {
        for (int i = 0; i < RULES.length; i++) {
            PATTERNS[i] = Pattern.compile(RULES[i][1]);
        }
    }

    /**
     * The known values, and one literal set of every rule's keyword followed by those values: a
     * multi-literal prefilter (one vectorised pass, as a real engine's would be) finds both.
     */
    static final class Known implements KnownSecrets {
        final List<String> values;
        final LiteralSet literals;

        Known(List<String> values) {
            this.values = values;
            List<String> lits = new ArrayList<>();
            for (String[] rule : RULES) {
                lits.add(rule[0]);
            }
            lits.addAll(values);
            this.literals = LiteralSet.of(lits);
        }

        public int size() {
            return values.size();
        }
    }

    static final class BenchScanner implements DlpScanner {
        public KnownSecrets knownSecrets(Map<String, String> named, String canary) {
            List<String> v = new ArrayList<>(named.values());
            if (!canary.isEmpty()) {
                v.add(canary);
            }
            v.removeIf(String::isEmpty);
            return new Known(v);
        }

        public List<Finding> scan(List<ScanInput> inputs, Set<String> detectors, KnownSecrets known) {
            List<Finding> out = new ArrayList<>();
            Known k = (Known) known;
            for (ScanInput in : inputs) {
                String t = in.text().toString();
                boolean[] seen = new boolean[k.values.size()];
                LiteralSet.Hit onHit = (lit, at) -> {
                    if (lit < RULES.length) {
                        Matcher m = PATTERNS[lit].matcher(t).region(at, Math.min(t.length(), at + 256));
                        if (m.lookingAt()) {
                            out.add(new Finding("bench", RULES[lit][0], in.surface(), m.start(), m.end(),
                                    Finding.Severity.HIGH));
                        }
                    } else if (!seen[lit - RULES.length]) { // the first occurrence of a known value, as indexOf
                        seen[lit - RULES.length] = true;
                        out.add(new Finding("known", "known", in.surface(), at,
                                at + k.values.get(lit - RULES.length).length(), Finding.Severity.CERTAIN));
                    }
                };
                if (in.latin1() != null) { // the proxy's ASCII body: its bytes, no second encoding
                    k.literals.forEach(in.latin1(), 0, in.latin1().length, onHit);
                } else {
                    k.literals.forEach(t, onHit);
                }
            }
            return out;
        }

        public String redact(CharSequence text, List<Finding> findings) {
            StringBuilder b = new StringBuilder(text);
            findings.stream().sorted((a, c) -> Integer.compare(c.start(), a.start()))
                    .forEach(f -> b.replace(f.start(), f.end(), "[REDACTED]"));
            return b.toString();
        }
    }

    public static void main(String[] a) throws Exception {
        DlpScanner scanner = new BenchScanner();
        EgressServer s = EgressServer.builder().routesFile(Path.of(a[0])).stateDir(Path.of(a[1]))
                .listen(new InetSocketAddress("127.0.0.1", Integer.parseInt(a[2])))
                .upstreamCa(Path.of(a[3])).resolve(ResolvePin.parse(a[4]))
                .env(n -> "bench-token-value-0123456789").scanner(() -> scanner).build().start();
        System.err.println("egress bench proxy on " + s.address());
        s.awaitClose();
    }
}
