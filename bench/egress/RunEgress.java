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
import bot.bottle.egress.proxy.EgressServer;
import bot.bottle.egress.proxy.ResolvePin;

/**
 * Benchmark launcher: our proxy with a stand-in scanner doing the same work as the mitmproxy addon
 * (the same token regexes over every header, the path and the body, both ways, plus a known-secret
 * search), with a literal keyword prefilter before each regex as a real engine would.
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
    /**
     * Prefilter keywords, each searched once: a keyword that starts with another one ("xoxe" after
     * "xox") is checked at the shorter one's hits, as a multi-literal prefilter (a trie) would.
     */
    static final List<String> KEYS = new ArrayList<>();
    static final List<int[]> RULES_OF_KEY = new ArrayList<>();

    static {
        for (int i = 0; i < RULES.length; i++) {
            PATTERNS[i] = Pattern.compile(RULES[i][1]);
        }
        for (String[] rule : RULES) {
            if (KEYS.stream().noneMatch(rule[0]::startsWith)) {
                KEYS.removeIf(k -> k.startsWith(rule[0]));
                KEYS.add(rule[0]);
            }
        }
        for (String k : KEYS) {
            List<Integer> rs = new ArrayList<>();
            for (int r = 0; r < RULES.length; r++) {
                if (RULES[r][0].startsWith(k)) {
                    rs.add(r);
                }
            }
            RULES_OF_KEY.add(rs.stream().mapToInt(Integer::intValue).toArray());
        }
    }

    record Known(List<String> values) implements KnownSecrets {
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
            return new Known(v);
        }

        public List<Finding> scan(List<ScanInput> inputs, Set<String> detectors, KnownSecrets known) {
            List<Finding> out = new ArrayList<>();
            for (ScanInput in : inputs) {
                String t = in.text().toString();
                for (int k = 0; k < KEYS.size(); k++) {
                    String key = KEYS.get(k);
                    int at = t.indexOf(key);
                    while (at >= 0) {
                        for (int r : RULES_OF_KEY.get(k)) {
                            if (!t.startsWith(RULES[r][0], at)) {
                                continue;
                            }
                            Matcher m = PATTERNS[r].matcher(t).region(at, Math.min(t.length(), at + 256));
                            if (m.lookingAt()) {
                                out.add(new Finding("bench", RULES[r][0], in.surface(), m.start(), m.end(),
                                        Finding.Severity.HIGH));
                            }
                        }
                        at = t.indexOf(key, at + 1);
                    }
                }
                if (known instanceof Known k) {
                    for (String v : k.values()) {
                        int i = t.indexOf(v);
                        if (i >= 0) {
                            out.add(new Finding("known", "known", in.surface(), i, i + v.length(),
                                    Finding.Severity.CERTAIN));
                        }
                    }
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
