package bot.bottle.dlp.rules;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import bot.bottle.api.dlp.Finding.Severity;
import bot.bottle.dlp.engine.AhoCorasick;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import com.google.re2j.Pattern;

/**
 * An immutable, compiled set of gitleaks-format rules with its keyword prefilter.
 *
 * <p>Two loading modes: {@link #loadStrict} (the bundled default pack, or any pack we own) fails on the
 * first rule that does not compile or is malformed, naming it; {@link #loadForeign} (a user's gitleaks
 * config) skips such rules and lists them in {@link #skipped()} so the caller can report them clearly.
 */
public final class RulePack {
    /** Default number of chars a match may extend after its keyword. */
    static final int DEFAULT_WINDOW = 512;
    /** Chars before a keyword hit included in the regex window (context such as {@code aws_secret... =}). */
    static final int BEFORE = 256;

    private final String source;
    private final List<Rule> rules;
    private final List<Allowlist> global;
    private final List<String> skipped;
    private final AhoCorasick keywords;
    private final List<String> keywordList;
    private final int[][] rulesByKeyword;
    private final int[] noKeywordRules;

    private RulePack(String source, List<Rule> rules, List<Allowlist> global, List<String> skipped) {
        this.source = source;
        this.rules = List.copyOf(rules);
        this.global = List.copyOf(global);
        this.skipped = List.copyOf(skipped);
        Map<String, List<Integer>> byKeyword = new LinkedHashMap<>();
        List<Integer> none = new ArrayList<>();
        for (int r = 0; r < rules.size(); r++) {
            if (rules.get(r).keywords().isEmpty()) {
                none.add(r);
            }
            for (String k : rules.get(r).keywords()) {
                byKeyword.computeIfAbsent(k, x -> new ArrayList<>()).add(r);
            }
        }
        keywordList = List.copyOf(byKeyword.keySet());
        rulesByKeyword = new int[keywordList.size()][];
        for (int k = 0; k < keywordList.size(); k++) {
            rulesByKeyword[k] = byKeyword.get(keywordList.get(k)).stream().distinct().mapToInt(Integer::intValue).toArray();
        }
        noKeywordRules = none.stream().mapToInt(Integer::intValue).toArray();
        keywords = keywordList.isEmpty() ? null : new AhoCorasick(keywordList, true);
    }

    public String source() {
        return source;
    }

    public List<Rule> rules() {
        return rules;
    }

    /** Rules of a foreign config that were not loaded, each as "id: reason". */
    public List<String> skipped() {
        return skipped;
    }

    public int[][] rulesByKeyword() {
        return rulesByKeyword;
    }

    /** The distinct keywords of all rules: the patterns of {@link #keywords()}, in order. */
    public List<String> keywordList() {
        return keywordList;
    }

    /** The case-insensitive keyword automaton, or null when no rule has keywords. */
    public AhoCorasick keywords() {
        return keywords;
    }

    /** Indexes of the rules without keywords (they run on every text). */
    public int[] noKeywordRules() {
        return noKeywordRules;
    }

    List<Allowlist> global() {
        return global;
    }

    /** The default pack shipped in this bundle. */
    public static RulePack defaults() throws RuleLoadException {
        try (InputStream in = RulePack.class.getResourceAsStream("default-rules.toml")) {
            if (in == null) {
                throw new RuleLoadException("default-rules.toml is missing from the bundle");
            }
            return loadStrict(new String(in.readAllBytes(), StandardCharsets.UTF_8), "default-rules.toml");
        } catch (IOException e) {
            throw new RuleLoadException("default-rules.toml: " + e.getMessage(), e);
        }
    }

    public static RulePack loadStrict(String toml, String source) throws RuleLoadException {
        return load(toml, source, false);
    }

    /**
     * Loads a user's gitleaks config. Rules that cannot be used are skipped and listed in
     * {@link #skipped()}; {@code [extend] useDefault = true} adds the bundled defaults.
     */
    public static RulePack loadForeign(String toml, String source) throws RuleLoadException {
        return load(toml, source, true);
    }

    private static RulePack load(String toml, String source, boolean foreign) throws RuleLoadException {
        JsonNode root;
        try {
            root = new TomlMapper().readTree(toml);
        } catch (IOException e) {
            throw new RuleLoadException(source + ": not valid TOML: " + firstLine(e.getMessage()), e);
        }
        if (root == null || !root.isObject()) {
            throw new RuleLoadException(source + ": empty rule file");
        }
        List<Rule> rules = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        JsonNode rulesNode = root.path("rules");
        if (!rulesNode.isMissingNode() && !rulesNode.isArray()) {
            throw new RuleLoadException(source + ": 'rules' must be an array of tables ([[rules]])");
        }
        for (JsonNode r : rulesNode) {
            String id = r.path("id").asText("");
            try {
                if (id.isEmpty()) {
                    throw new RuleLoadException("a rule has no id");
                }
                if (!ids.add(id)) {
                    throw new RuleLoadException("duplicate rule id");
                }
                if (!r.has("regex")) {
                    // Path-only rules (e.g. "*.p12 file") match file names, which bot-bottle does not
                    // scan as content.
                    throw new RuleLoadException("rule has no regex (path-only rules are not supported)");
                }
                rules.add(rule(r, id));
            } catch (RuleLoadException e) {
                String why = (id.isEmpty() ? "?" : id) + ": " + e.getMessage();
                if (!foreign) {
                    throw new RuleLoadException(source + ": rule " + why, e);
                }
                skipped.add(why);
            }
        }
        List<Allowlist> global = new ArrayList<>();
        try {
            if (root.has("allowlist")) {
                global.add(allowlist(root.get("allowlist"), "global allowlist"));
            }
            for (JsonNode a : root.path("allowlists")) {
                global.add(allowlist(a, "global allowlists"));
            }
        } catch (RuleLoadException e) {
            throw new RuleLoadException(source + ": " + e.getMessage(), e);
        }
        JsonNode extend = root.path("extend");
        if (extend.isObject()) {
            if (extend.has("path")) {
                if (!foreign) {
                    throw new RuleLoadException(source + ": [extend] path is not supported");
                }
                skipped.add("[extend] path: extending another file is not supported; only useDefault is");
            }
            if (extend.path("useDefault").asBoolean(false)) {
                Set<String> disabled = new HashSet<>();
                extend.path("disabledRules").forEach(n -> disabled.add(n.asText()));
                RulePack defaults = defaults();
                for (Rule d : defaults.rules) {
                    if (!disabled.contains(d.id()) && !ids.contains(d.id())) {
                        rules.add(d);
                    }
                }
                global.addAll(defaults.global);
            }
        }
        if (rules.isEmpty()) {
            throw new RuleLoadException(source + ": no usable rule" + (skipped.isEmpty() ? "" : " (skipped: " + skipped + ")"));
        }
        return new RulePack(source, rules, global, skipped);
    }

    private static Rule rule(JsonNode r, String id) throws RuleLoadException {
        String regexText = r.path("regex").asText();
        Pattern regex;
        String err = RegexDialect.check(regexText);
        if (err != null) {
            throw new RuleLoadException("regex does not compile: " + firstLine(err));
        }
        regex = RegexDialect.compile(regexText);
        List<String> keywords = new ArrayList<>();
        for (JsonNode k : r.path("keywords")) {
            String kw = k.asText();
            if (kw.isEmpty()) {
                throw new RuleLoadException("empty keyword");
            }
            keywords.add(kw.toLowerCase(Locale.ROOT));
        }
        boolean caseSensitive = "sensitive".equalsIgnoreCase(r.path("keywordCase").asText("insensitive"));
        if (caseSensitive) {
            // keep the original case for the exact check; the automaton folds case itself
            keywords.clear();
            for (JsonNode k : r.path("keywords")) {
                keywords.add(k.asText());
            }
        }
        int secretGroup = r.path("secretGroup").asInt(0);
        if (secretGroup < 0 || secretGroup > regex.groupCount()) {
            throw new RuleLoadException("secretGroup " + secretGroup + " but the regex has " + regex.groupCount() + " groups");
        }
        double entropy = r.path("entropy").asDouble(0);
        List<Allowlist> allowlists = new ArrayList<>();
        if (r.has("allowlist")) {
            allowlists.add(allowlist(r.get("allowlist"), "allowlist"));
        }
        for (JsonNode a : r.path("allowlists")) {
            allowlists.add(allowlist(a, "allowlists"));
        }
        Severity severity = Severity.HIGH;
        if (r.has("severity")) {
            String s = r.get("severity").asText().toUpperCase(Locale.ROOT);
            if (!s.equals("HIGH") && !s.equals("LOW")) {
                throw new RuleLoadException("severity must be \"high\" or \"low\"");
            }
            severity = Severity.valueOf(s);
        }
        Checksum checksum = r.has("checksum") ? Checksum.parse(r.get("checksum").asText(), id) : implicitChecksum(id);
        int window = r.path("window").asInt(DEFAULT_WINDOW);
        if (window < 16 || window > 1 << 20) {
            throw new RuleLoadException("window must be between 16 and 1048576");
        }
        return new Rule(id, r.path("description").asText(""), regex, List.copyOf(keywords), caseSensitive, secretGroup,
                entropy, List.copyOf(allowlists), severity, checksum, window);
    }

    /** gitleaks' own rule ids for checksummed token families, so a foreign config gets checksums too. */
    private static Checksum implicitChecksum(String id) {
        switch (id) {
            case "github-pat":
            case "github-oauth":
            case "github-app-token":
            case "github-refresh-token":
            case "npm-access-token":
                return Checksum.BASE62_CRC32;
            default:
                return Checksum.NONE;
        }
    }

    private static Allowlist allowlist(JsonNode a, String where) throws RuleLoadException {
        String cond = a.path("condition").asText("OR").toUpperCase(Locale.ROOT);
        if (!cond.equals("OR") && !cond.equals("AND")) {
            throw new RuleLoadException(where + ": condition must be OR or AND");
        }
        Allowlist.Target target;
        switch (a.path("regexTarget").asText("secret").toLowerCase(Locale.ROOT)) {
            case "secret": target = Allowlist.Target.SECRET; break;
            case "match": target = Allowlist.Target.MATCH; break;
            case "line": target = Allowlist.Target.LINE; break;
            default: throw new RuleLoadException(where + ": regexTarget must be secret, match or line");
        }
        List<Pattern> regexes = new ArrayList<>();
        for (JsonNode re : a.path("regexes")) {
            String err = RegexDialect.check(re.asText());
            if (err != null) {
                throw new RuleLoadException(where + ": regex does not compile: " + firstLine(err));
            }
            regexes.add(RegexDialect.compile(re.asText()));
        }
        List<String> stopwords = new ArrayList<>();
        a.path("stopwords").forEach(s -> stopwords.add(s.asText()));
        List<String> targetRules = new ArrayList<>();
        a.path("targetRules").forEach(s -> targetRules.add(s.asText()));
        boolean unsatisfiable = a.path("paths").size() > 0 || a.path("commits").size() > 0;
        return new Allowlist(cond.equals("AND"), target, List.copyOf(regexes), List.copyOf(stopwords), unsatisfiable,
                Collections.unmodifiableList(targetRules));
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
