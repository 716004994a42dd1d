package bot.bottle.dlp.detect;

import java.util.ArrayList;
import java.util.List;

import bot.bottle.api.dlp.DlpDetector;
import bot.bottle.api.dlp.Finding;
import bot.bottle.api.dlp.Finding.Severity;
import bot.bottle.api.dlp.ScanInput;
import bot.bottle.dlp.engine.HitList;
import org.osgi.service.component.annotations.Component;

/**
 * Finds the values the sidecar holds (tokens, host secrets, the canary) in any direction: outbound it
 * stops exfiltration, inbound it catches token reflection (SECURITY-NOTES item 3). The values come with
 * each scan as the {@link KnownSecretsImpl} the engine compiled; {@link #scan(ScanInput)} alone has
 * nothing to look for. Every finding is {@link Severity#CERTAIN}.
 */
@Component(service = DlpDetector.class, property = DlpDetector.ID_PROPERTY + "=" + KnownSecretsDetector.ID)
public final class KnownSecretsDetector implements DlpDetector, WantsRawText, DetectorInfo {
    public static final String ID = "known_secrets";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public int ruleCount() {
        return 2; // canary, known-secret
    }

    /** Percent-encoded forms of the values are matched in the raw text too (defence in depth). */
    @Override
    public boolean wantsRaw(String raw) {
        return raw.indexOf('%') >= 0;
    }

    @Override
    public List<Finding> scan(ScanInput input) {
        return List.of();
    }

    /**
     * The findings among the hits of a shared automaton pass over {@code text} (see
     * {@link KnownSecretsImpl#mergedWith}); the values' patterns start at index {@code offset}.
     */
    public List<Finding> scan(String surface, String text, HitList hits, int offset, KnownSecretsImpl known) {
        if (known == null || known.size() == 0) {
            return List.of();
        }
        List<Finding> out = new ArrayList<>();
        for (int[] hit : known.find(text, hits, offset)) {
            out.add(new Finding(ID, known.ruleOf(hit[0]), surface, hit[1], hit[2], Severity.CERTAIN));
        }
        return out;
    }

    public List<Finding> scan(ScanInput input, KnownSecretsImpl known) {
        if (known == null || known.size() == 0) {
            return List.of();
        }
        List<Finding> out = new ArrayList<>();
        for (int[] hit : known.find(input.text())) {
            out.add(new Finding(ID, known.ruleOf(hit[0]), input.surface(), hit[1], hit[2], Severity.CERTAIN));
        }
        return out;
    }
}
