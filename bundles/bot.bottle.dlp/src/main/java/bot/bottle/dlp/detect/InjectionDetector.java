package bot.bottle.dlp.detect;

import java.util.ArrayList;
import java.util.List;

import bot.bottle.api.dlp.Direction;
import bot.bottle.api.dlp.DlpDetector;
import bot.bottle.api.dlp.Finding;
import bot.bottle.api.dlp.Finding.Severity;
import bot.bottle.api.dlp.ScanInput;
import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import org.osgi.service.component.annotations.Component;

/**
 * Naive prompt-injection detection on content coming in (responses): instruction-override phrases,
 * fake system/role markers, instructions hidden in HTML comments, and invisible characters (zero-width,
 * bidi controls, tag characters) used to hide text. Every finding is {@link Severity#INFO}: a taint
 * signal that raises the approval requirement for the session, never a block on its own
 * (SECURITY-NOTES item 15: regex detectors reach about 70% recall with real false positives).
 *
 * <p>A phrase that is quoted as an example ({@code like 'ignore previous instructions'}) is not reported:
 * security articles quote these phrases all the time.
 */
@Component(service = DlpDetector.class, property = DlpDetector.ID_PROPERTY + "=" + InjectionDetector.ID)
public final class InjectionDetector implements DlpDetector, WantsRawText, DetectorInfo {
    public static final String ID = "naive_injection_detection";

    private record Rule(String id, Pattern regex) {
    }

    private static final List<Rule> RULES = List.of(
            new Rule("ignore-instructions", Pattern.compile(
                    "(?i)\\b(?:ignore|disregard|forget|override|bypass|skip)\\s+(?:(?:all|any|the|your|every|of|my)\\s+){0,3}"
                            + "(?:(?:previous|prior|above|earlier|preceding|system|original|initial|existing|safety|security)\\s+){1,3}"
                            + "(?:instructions?|prompts?|directives?|rules|guidelines|guardrails|context|messages?)")),
            new Rule("role-override", Pattern.compile(
                    "(?i)\\byou\\s+are\\s+now\\s+(?:in\\s+)?(?:a\\s+|an\\s+)?(?:developer\\s+mode|dan\\b|jailbroken|unrestricted|"
                            + "unfiltered|admin\\s+mode|god\\s+mode|no\\s+longer\\s+bound)|\\bact\\s+as\\s+(?:dan|an?\\s+unrestricted|"
                            + "an?\\s+unfiltered)\\b|\\bdo\\s+anything\\s+now\\b")),
            new Rule("tool-directive", Pattern.compile(
                    "(?i)\\byou\\s+must\\s+(?:now\\s+|first\\s+|immediately\\s+)?(?:call|use|run|invoke|execute)\\s+the\\s+\\S+\\s+tool|"
                            + "\\bplease\\s+call\\s+\\S+\\s+with\\s+url\\b|"
                            + "\\b(?:before|prior\\s+to)\\s+(?:using|calling|summari[sz]ing|answering|responding|sending)\\b[^.\\n]{0,60}?"
                            + "\\b(?:first|always)\\s+(?:read|call|send|include|fetch|run)")),
            new Rule("sensitive-file-request", Pattern.compile(
                    "(?i)\\b(?:read|include|send|prepend|append|cat|upload|attach|contents\\s+of)\\b[^.\\n]{0,60}?"
                            + "(?:~/\\.ssh/|\\bid_(?:rsa|ed25519|ecdsa)\\b|/etc/shadow|/etc/passwd|\\.aws/credentials|"
                            + "\\.git-credentials|\\.netrc\\b)")),
            new Rule("tool-shadowing", Pattern.compile(
                    "(?i)\\balways\\s+use\\s+this\\s+tool\\s+instead\\b|\\bsupersedes?\\s+(?:any|all|the)\\s+"
                            + "(?:default|built-in|other)\\b|\\bwhen\\s+the\\s+user\\s+asks\\s+to\\s+use\\s+the\\s+\\S+\\s+tool\\b|"
                            + "\\bpass\\s+(?:all|the\\s+full|the\\s+entire|the\\s+complete)\\s+(?:file\\s+contents|email\\s+body|"
                            + "conversation|contents)")),
            new Rule("new-directive", Pattern.compile(
                    "(?i)\\b(?:new|updated|priority|important|urgent)\\s+(?:system\\s+)?(?:instructions?|directives?|orders?)\\s*[:!-]")),
            new Rule("fake-system-marker", Pattern.compile(
                    "(?i)(?:^|\\n)\\s*\\[(?:system|admin|developer|assistant)\\]|<\\|(?:im_start|im_end|system|endoftext)\\|>|"
                            + "</?system>|\\bBEGIN\\s+SYSTEM\\s+PROMPT\\b|(?-i:\\bSYSTEM\\s+(?:NOTE|MESSAGE|OVERRIDE|UPDATE|INSTRUCTIONS?)\\s*:)")),
            new Rule("prompt-exfiltration", Pattern.compile(
                    "(?i)\\b(?:reveal|output|print|show|repeat|leak|send|dump|disclose)\\s+(?:me\\s+)?(?:all\\s+)?(?:your|the)\\s+"
                            + "(?:complete\\s+|full\\s+|entire\\s+|hidden\\s+|current\\s+)?(?:system\\s+prompt|instructions|"
                            + "tool\\s+definitions|api\\s+keys?|credentials|secrets|tokens|environment(?:\\s+variables)?|ssh\\s+keys?)")),
            new Rule("authority-claim", Pattern.compile(
                    "(?i)\\byou\\s+(?:now\\s+)?have\\s+(?:been\\s+granted\\s+)?(?:full\\s+)?(?:admin|administrator|root|elevated|unrestricted)\\s+"
                            + "(?:access|privileges|permissions|rights)")),
            new Rule("exfiltration-command", Pattern.compile(
                    "(?i)(?:curl|wget|nc|fetch)\\b[^\\n]{0,200}\\$\\((?:cat|env|printenv|base64)|"
                            + "\\bcat\\s+(?:~/\\.ssh/id_|/etc/shadow|~/\\.aws/credentials|\\.env\\b)")),
            new Rule("decode-and-execute", Pattern.compile(
                    "(?i)\\bdecode\\s+(?:the\\s+)?(?:following\\s+)?(?:base64|hex|rot13)[^\\n]{0,60}?\\b(?:execute|run|eval)")),
            new Rule("conceal-from-user", Pattern.compile(
                    "(?i)\\b(?:do\\s+not|don't|never)\\s+(?:tell|inform|mention|show|reveal)\\s+(?:this\\s+)?(?:to\\s+)?the\\s+user")));

    /** Instruction-like words inside an HTML comment, which a browser hides but a model reads. */
    private static final Pattern COMMENT_INSTRUCTION = Pattern.compile(
            "(?i)\\b(?:ignore|instructions?|system\\s+prompt|assistant|ai\\s+agent|you\\s+must|execute|exfiltrate|api\\s+keys?|"
                    + "credentials|curl|wget)\\b");

    /** Zero-width, bidi controls, word joiners, tag characters, soft hyphen: text made invisible. */
    private static final Pattern INVISIBLE = Pattern.compile(
            "[\\x{00AD}\\x{200B}-\\x{200F}\\x{202A}-\\x{202E}\\x{2060}-\\x{2064}\\x{2066}-\\x{2069}\\x{FEFF}\\x{E0000}-\\x{E007F}]+");

    @Override
    public String id() {
        return ID;
    }

    @Override
    public int ruleCount() {
        return RULES.size() + 2;
    }

    /** Invisible characters are removed from the canonical view: look for them in the raw text. */
    @Override
    public boolean wantsRaw(String raw) {
        for (int i = 0, n = raw.length(); i < n; i++) {
            if (raw.charAt(i) >= 0x80) {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean appliesTo(Direction direction) {
        return direction == Direction.INBOUND;
    }

    @Override
    public List<Finding> scan(ScanInput input) {
        String text = input.text().toString();
        List<Finding> out = new ArrayList<>();
        for (Rule rule : RULES) {
            Matcher m = rule.regex().matcher(text);
            int pos = 0;
            while (pos <= text.length() && m.find(pos)) {
                if (!quoted(text, m.start(), m.end())) {
                    out.add(new Finding(ID, rule.id(), input.surface(), m.start(), m.end(), Severity.INFO));
                }
                pos = Math.max(m.end(), m.start() + 1);
            }
        }
        for (int open = text.indexOf("<!--"); open >= 0; open = text.indexOf("<!--", open + 4)) {
            int close = text.indexOf("-->", open + 4);
            int end = close < 0 ? text.length() : close + 3;
            if (COMMENT_INSTRUCTION.matcher(text.substring(open + 4, close < 0 ? text.length() : close)).find()) {
                out.add(new Finding(ID, "hidden-html-comment", input.surface(), open, end, Severity.INFO));
            }
            if (close < 0) {
                break;
            }
        }
        Matcher m = INVISIBLE.matcher(text);
        while (m.find()) {
            if (suspicious(text, m.start(), m.end())) {
                out.add(new Finding(ID, "invisible-characters", input.surface(), m.start(), m.end(), Severity.INFO));
            }
        }
        return out;
    }

    /** Words that introduce a cited example: "a common attack pattern is: '...'". */
    private static final Pattern MENTION = Pattern.compile(
            "(?i)\\b(?:like|such\\s+as|e\\.g\\.|for\\s+example|example|pattern|phrases?|called|known\\s+as|"
                    + "include|includes|says?|wrote|is:|are:)");

    /**
     * A phrase cited as an example: quoted (a quote within 80 chars before and after it on the same
     * line) and the quote introduced by a mention word ("like", "such as", "pattern is:").
     */
    private static boolean quoted(String t, int s, int e) {
        int open = quoteNear(t, s - 1, -1);
        if (open < 0 || quoteNear(t, e, 1) < 0) {
            return false;
        }
        String before = t.substring(Math.max(0, open - 80), open);
        return MENTION.matcher(before).find();
    }

    /** Position of the nearest quote from {@code from} in direction {@code step} on the same line, or -1. */
    private static int quoteNear(String t, int from, int step) {
        for (int k = 0; k < 80; k++) {
            int i = from + step * k;
            if (i < 0 || i >= t.length() || t.charAt(i) == '\n') {
                return -1;
            }
            if (isQuote(t.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isQuote(char c) {
        return c == '\'' || c == '"' || c == '`' || c == '\u2018' || c == '\u2019' || c == '\u201C' || c == '\u201D';
    }

    /**
     * A BOM at the very start, or a single ZWJ/ZWNJ between letters of scripts that need them, is normal
     * text; anything else (bidi overrides, tag characters, zero-width spaces inside words, runs) is a trick.
     */
    private static boolean suspicious(String t, int s, int e) {
        String run = t.substring(s, e);
        if (s == 0 && run.equals("\uFEFF")) {
            return false;
        }
        if (run.length() == 1 && (run.charAt(0) == '\u200C' || run.charAt(0) == '\u200D')) {
            boolean nonLatin = s > 0 && t.charAt(s - 1) > 0x2FF;
            return !nonLatin;
        }
        if (run.equals("\u00AD")) {
            return false; // soft hyphens are routine in typeset HTML
        }
        return true;
    }
}
