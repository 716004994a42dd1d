package bot.bottle.dlp.rules;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;

/**
 * Compiles gitleaks rule regexes (Go RE2 syntax) with RE2J, which runs in linear time: no rule can
 * backtrack catastrophically, whatever the input.
 *
 * <p>RE2J accepts Go's syntax almost entirely; the translations applied (each one tested in
 * {@code RegexDialectTest}):
 * <ul>
 *   <li>{@code (?<name>...)} named groups (Go 1.22+) become {@code (?P<name>...)}, the spelling RE2J
 *       knows;</li>
 *   <li>{@code \z} is kept; Go has no {@code \Z}, so a pattern using it fails as it does in gitleaks.</li>
 * </ul>
 * Anything else RE2J rejects (look-around, back-references: also rejected by Go) is a load error.
 */
public final class RegexDialect {
    private RegexDialect() {
    }

    public static Pattern compile(String goRegex) {
        return Pattern.compile(translate(goRegex));
    }

    static String translate(String re) {
        StringBuilder out = new StringBuilder(re.length() + 8);
        boolean inClass = false;
        for (int i = 0; i < re.length(); i++) {
            char c = re.charAt(i);
            if (c == '\\' && i + 1 < re.length()) {
                out.append(c).append(re.charAt(++i));
                continue;
            }
            if (inClass) {
                if (c == ']') {
                    inClass = false;
                }
                out.append(c);
                continue;
            }
            if (c == '[') {
                inClass = true;
                out.append(c);
                // a ']' right after '[' or '[^' is a literal
                if (i + 1 < re.length() && re.charAt(i + 1) == '^') {
                    out.append('^');
                    i++;
                }
                if (i + 1 < re.length() && re.charAt(i + 1) == ']') {
                    out.append(']');
                    i++;
                }
                continue;
            }
            if (c == '(' && re.startsWith("(?<", i) && i + 3 < re.length()
                    && re.charAt(i + 3) != '=' && re.charAt(i + 3) != '!') {
                out.append("(?P<");
                i += 2;
                continue;
            }
            out.append(c);
        }
        return out.toString();
    }

    /** Whether the regex compiles; the error message otherwise (null when it does). */
    public static String check(String goRegex) {
        try {
            compile(goRegex);
            return null;
        } catch (PatternSyntaxException | IllegalArgumentException e) {
            return e.getMessage();
        }
    }
}
