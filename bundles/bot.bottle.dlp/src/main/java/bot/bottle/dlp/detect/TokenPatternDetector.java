package bot.bottle.dlp.detect;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import bot.bottle.api.dlp.Direction;
import bot.bottle.api.dlp.DlpDetector;
import bot.bottle.api.dlp.Finding;
import bot.bottle.api.dlp.ScanInput;
import bot.bottle.dlp.engine.HitList;
import bot.bottle.dlp.rules.PatternScanner;
import bot.bottle.dlp.rules.RuleLoadException;
import bot.bottle.dlp.rules.RuleMatch;
import bot.bottle.dlp.rules.RulePack;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * Finds vendor tokens with gitleaks-format rules: rules are data, loaded once, immutable. The bundled
 * default pack is used unless the component property {@code rules.path} names a gitleaks TOML file (a
 * user's config; {@code [extend] useDefault = true} keeps the defaults). A pack that fails to load
 * fails activation: the detector is then absent and scans that select it fail closed.
 */
@Component(service = DlpDetector.class, property = DlpDetector.ID_PROPERTY + "=" + TokenPatternDetector.ID)
public final class TokenPatternDetector implements DlpDetector, DetectorInfo {
    public static final String ID = "token_patterns";

    private final RulePack pack;

    @Activate
    public TokenPatternDetector(Map<String, Object> properties) throws RuleLoadException, IOException {
        Object path = properties == null ? null : properties.get("rules.path");
        if (path != null && !path.toString().isBlank()) {
            Path p = Path.of(path.toString());
            this.pack = RulePack.loadForeign(Files.readString(p, StandardCharsets.UTF_8), p.toString());
        } else {
            this.pack = RulePack.defaults();
        }
    }

    public TokenPatternDetector(RulePack pack) {
        this.pack = pack;
    }

    public RulePack pack() {
        return pack;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public int ruleCount() {
        return pack.rules().size();
    }

    /** Token patterns guard what leaves; responses are checked for reflected tokens by known_secrets. */
    @Override
    public boolean appliesTo(Direction direction) {
        return direction == Direction.OUTBOUND;
    }

    /** The findings in {@code text} given the hits of a shared automaton pass (see {@link PatternScanner}). */
    public List<Finding> scan(String surface, String text, HitList hits) {
        List<RuleMatch> matches = PatternScanner.scan(pack, text, hits);
        List<Finding> out = new ArrayList<>(matches.size());
        for (RuleMatch m : matches) {
            out.add(new Finding(ID, m.rule(), surface, m.start(), m.end(), m.severity()));
        }
        return out;
    }

    @Override
    public List<Finding> scan(ScanInput input) {
        List<RuleMatch> matches = PatternScanner.scan(pack, input.text().toString());
        List<Finding> out = new ArrayList<>(matches.size());
        for (RuleMatch m : matches) {
            out.add(new Finding(ID, m.rule(), input.surface(), m.start(), m.end(), m.severity()));
        }
        return out;
    }
}
