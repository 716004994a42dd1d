package bot.bottle.dlp.rules;

import bot.bottle.api.dlp.Finding.Severity;

/** A rule's match in a scanned text: the span of the secret, never the secret itself. */
public record RuleMatch(String rule, int start, int end, Severity severity) {
}
