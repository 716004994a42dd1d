package bot.bottle.dlp.rules;

import java.util.List;
import java.util.Locale;

import com.google.re2j.Pattern;

/**
 * A gitleaks allowlist: regexes (against the secret, the whole match or the line), stopwords (contained
 * in the secret, case-insensitively), combined with OR (default) or AND.
 *
 * <p>{@code paths} and {@code commits} criteria are deliberately never satisfied: everything
 * bot-bottle scans is agent-controlled, and a file name or commit the agent chooses must not switch
 * detection off (SECURITY-NOTES item 12). With OR the other criteria still apply; with AND such an
 * allowlist never allows anything.
 */
final class Allowlist {
    enum Target { SECRET, MATCH, LINE }

    private final boolean and;
    private final Target target;
    private final List<Pattern> regexes;
    private final List<String> stopwords;
    private final boolean hasUnsatisfiable; // paths or commits given
    private final List<String> targetRules;  // for global [[allowlists]]: empty = every rule

    Allowlist(boolean and, Target target, List<Pattern> regexes, List<String> stopwords, boolean hasUnsatisfiable,
              List<String> targetRules) {
        this.and = and;
        this.target = target;
        this.regexes = regexes;
        this.stopwords = stopwords.stream().map(s -> s.toLowerCase(Locale.ROOT)).toList();
        this.hasUnsatisfiable = hasUnsatisfiable;
        this.targetRules = targetRules;
    }

    boolean appliesTo(String ruleId) {
        return targetRules.isEmpty() || targetRules.contains(ruleId);
    }

    boolean allows(String secret, String match, String line) {
        String regexTarget = switch (target) {
            case SECRET -> secret;
            case MATCH -> match;
            case LINE -> line;
        };
        Boolean regexHit = regexes.isEmpty() ? null : regexes.stream().anyMatch(p -> p.matcher(regexTarget).find());
        Boolean stopHit = null;
        if (!stopwords.isEmpty()) {
            String lower = secret.toLowerCase(Locale.ROOT);
            stopHit = stopwords.stream().anyMatch(lower::contains);
        }
        if (and) {
            if (hasUnsatisfiable) {
                return false;
            }
            if (regexHit == null && stopHit == null) {
                return false;
            }
            return (regexHit == null || regexHit) && (stopHit == null || stopHit);
        }
        return Boolean.TRUE.equals(regexHit) || Boolean.TRUE.equals(stopHit);
    }
}
