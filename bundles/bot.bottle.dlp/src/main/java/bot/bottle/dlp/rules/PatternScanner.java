package bot.bottle.dlp.rules;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import bot.bottle.api.dlp.Finding.Severity;
import bot.bottle.dlp.engine.HitList;
import com.google.re2j.Matcher;

/**
 * Runs a {@link RulePack} over a text: a keyword prefilter (one Aho-Corasick pass, case-insensitive)
 * finds where each rule could match, then the rule's RE2J regex runs only in a window around each
 * keyword hit. Small texts run the regex on the whole text once a keyword is present, which is exactly
 * gitleaks' semantics; on large texts a match must lie within {@link RulePack#BEFORE} chars before and
 * the rule's window after one of its keywords (gitleaks rules put the keyword inside the match).
 * A match that touches a window edge is re-run on a wider window, so windows never cut a match short.
 *
 * <p>Stateless and thread-safe.
 */
public final class PatternScanner {
    /** Texts up to this size run each triggered rule's regex over the whole text. */
    static final int WHOLE_TEXT = 8192;

    private PatternScanner() {
    }

    public static List<RuleMatch> scan(RulePack pack, String text) {
        HitList hits = new HitList();
        if (pack.keywords() != null) {
            pack.keywords().scan(text, hits);
        }
        return scan(pack, text, hits);
    }

    /**
     * As {@link #scan(RulePack, String)} with the keyword hits already found: a hit's pattern index is
     * the index into {@link RulePack#keywordList()}; hits with a larger index (other patterns of a shared
     * automaton) are ignored. Hits must come in the order the automaton reports them.
     */
    public static List<RuleMatch> scan(RulePack pack, String text, HitList hits) {
        List<Rule> rules = pack.rules();
        int len = text.length();
        List<RuleMatch> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int[][] byKw = pack.rulesByKeyword();
        List<String> kws = pack.keywordList();
        int keywordCount = kws.size();
        int n = hits.size();
        if (len <= WHOLE_TEXT) {
            BitSet hit = new BitSet(rules.size());
            for (int h = 0; h < n; h++) {
                int k = hits.pattern(h);
                if (k >= keywordCount) {
                    continue;
                }
                int end = hits.end(h);
                for (int r : byKw[k]) {
                    if (!hit.get(r) && caseOk(rules.get(r), kws.get(k), text, end)) {
                        hit.set(r);
                    }
                }
            }
            for (int r : pack.noKeywordRules()) {
                hit.set(r);
            }
            for (int r = hit.nextSetBit(0); r >= 0; r = hit.nextSetBit(r + 1)) {
                runWindow(pack, rules.get(r), r, text, 0, len, out, seen);
            }
            return out;
        }
        // Large text: collect keyword hit positions per rule, merge into windows.
        List<List<int[]>> windows = new ArrayList<>(rules.size());
        for (int r = 0; r < rules.size(); r++) {
            windows.add(null);
        }
        for (int h = 0; h < n; h++) {
            int k = hits.pattern(h);
            if (k >= keywordCount) {
                continue;
            }
            int end = hits.end(h);
            int start = end - kws.get(k).length();
            for (int r : byKw[k]) {
                Rule rule = rules.get(r);
                if (!caseOk(rule, kws.get(k), text, end)) {
                    continue;
                }
                int ws = Math.max(0, start - RulePack.BEFORE);
                int we = Math.min(len, end + rule.window());
                List<int[]> w = windows.get(r);
                if (w == null) {
                    w = new ArrayList<>();
                    windows.set(r, w);
                }
                int[] last = w.isEmpty() ? null : w.get(w.size() - 1);
                if (last != null && ws <= last[1]) {
                    last[1] = Math.max(last[1], we);
                } else {
                    w.add(new int[] {ws, we});
                }
            }
        }
        for (int r : pack.noKeywordRules()) {
            windows.set(r, List.of(new int[] {0, len}));
        }
        for (int r = 0; r < rules.size(); r++) {
            List<int[]> w = windows.get(r);
            if (w == null) {
                continue;
            }
            for (int[] win : w) {
                runWindow(pack, rules.get(r), r, text, win[0], win[1], out, seen);
            }
        }
        return out;
    }

    private static boolean caseOk(Rule rule, String keyword, String text, int end) {
        return !rule.caseSensitiveKeywords() || text.startsWith(keyword, end - keyword.length());
    }

    private static void runWindow(RulePack pack, Rule rule, int r, String text, int from, int to,
                                  List<RuleMatch> out, Set<String> seen) {
        int len = text.length();
        for (int attempt = 0; ; attempt++) {
            boolean whole = from == 0 && to == len;
            List<int[]> spans = new ArrayList<>();
            String window = whole ? text : text.substring(from, to);
            Matcher m = rule.regex().matcher(window);
            boolean touched = false;
            int pos = 0;
            while (pos <= window.length() && m.find(pos)) {
                int ms = m.start();
                int me = m.end();
                if (!whole && ((ms == 0 && from > 0) || (me == window.length() && to < len))) {
                    touched = true;
                    break;
                }
                int[] g = secretSpan(rule, m);
                spans.add(new int[] {ms, me, g[0], g[1]});
                pos = me > ms ? me : ms + 1;
            }
            if (touched && attempt < 3) {
                int grow = Math.max(RulePack.BEFORE, rule.window()) << (attempt + 2);
                from = Math.max(0, from - grow);
                to = Math.min(len, to + grow);
                continue;
            }
            if (touched) {
                from = 0;
                to = len;
                if (!whole) {
                    continue;
                }
            }
            for (int[] s : spans) {
                accept(pack, rule, r, text, from + s[0], from + s[1], from + s[2], from + s[3], out, seen);
            }
            return;
        }
    }

    /** The secret's span inside the window: the secretGroup, else the first non-empty group, else the match. */
    private static int[] secretSpan(Rule rule, Matcher m) {
        if (rule.secretGroup() > 0 && m.start(rule.secretGroup()) >= 0) {
            return new int[] {m.start(rule.secretGroup()), m.end(rule.secretGroup())};
        }
        if (rule.secretGroup() == 0) {
            for (int g = 1; g <= m.groupCount(); g++) {
                if (m.start(g) >= 0 && m.end(g) > m.start(g)) {
                    return new int[] {m.start(g), m.end(g)};
                }
            }
        }
        return new int[] {m.start(), m.end()};
    }

    private static void accept(RulePack pack, Rule rule, int r, String text, int ms, int me, int ss, int se,
                               List<RuleMatch> out, Set<String> seen) {
        if (!seen.add(r + ":" + ss + ":" + se)) {
            return;
        }
        String secret = text.substring(ss, se);
        if (rule.entropy() > 0 && entropy(secret) < rule.entropy()) {
            return;
        }
        String match = text.substring(ms, me);
        String line = null;
        for (Allowlist a : rule.allowlists()) {
            if (line == null) {
                line = line(text, ms, me);
            }
            if (a.allows(secret, match, line)) {
                return;
            }
        }
        for (Allowlist a : pack.global()) {
            if (!a.appliesTo(rule.id())) {
                continue;
            }
            if (line == null) {
                line = line(text, ms, me);
            }
            if (a.allows(secret, match, line)) {
                return;
            }
        }
        Severity severity = rule.severity();
        if (!rule.checksum().valid(secret)) {
            severity = Severity.LOW;
        }
        out.add(new RuleMatch(rule.id(), ss, se, severity));
    }

    private static String line(String text, int ms, int me) {
        int s = text.lastIndexOf('\n', ms - 1) + 1;
        int e = text.indexOf('\n', me);
        return text.substring(s, e < 0 ? text.length() : e);
    }

    /** Shannon entropy in bits per char, as gitleaks computes it. */
    public static double entropy(String s) {
        if (s.isEmpty()) {
            return 0;
        }
        java.util.Map<Character, Integer> counts = new java.util.HashMap<>();
        for (int i = 0; i < s.length(); i++) {
            counts.merge(s.charAt(i), 1, Integer::sum);
        }
        double h = 0;
        for (int c : counts.values()) {
            double p = (double) c / s.length();
            h -= p * (Math.log(p) / Math.log(2));
        }
        return h;
    }
}
