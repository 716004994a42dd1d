package bot.bottle.dlp.rules;

import java.util.List;

import bot.bottle.api.dlp.Finding.Severity;
import com.google.re2j.Pattern;

/**
 * One compiled gitleaks-format rule. Immutable.
 *
 * @param id                    the rule id (reported in findings)
 * @param description           human text
 * @param regex                 the compiled (RE2J, linear-time) regex
 * @param keywords              lower-case literals that must occur near a match (prefilter); empty =
 *                              the regex runs on the whole text
 * @param caseSensitiveKeywords extension {@code keywordCase = "sensitive"}: keyword hits must match case
 * @param secretGroup           capture group holding the secret (0 = first non-empty group, else the match)
 * @param entropy               minimum Shannon entropy of the secret (0 = none)
 * @param allowlists            the rule's own allowlists
 * @param severity              extension {@code severity}: HIGH (default) or LOW
 * @param checksum              extension {@code checksum}: a failed checksum lowers severity to LOW
 * @param window                extension {@code window}: chars after a keyword hit the match may reach
 */
public record Rule(String id, String description, Pattern regex, List<String> keywords, boolean caseSensitiveKeywords,
                   int secretGroup, double entropy, List<Allowlist> allowlists, Severity severity, Checksum checksum,
                   int window) {
}
