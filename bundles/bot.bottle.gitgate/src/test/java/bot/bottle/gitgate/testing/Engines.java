package bot.bottle.gitgate.testing;

import java.util.Map;

import bot.bottle.api.dlp.DlpScanner;
import bot.bottle.dlp.detect.TokenPatternDetector;
import bot.bottle.dlp.engine.DlpScannerImpl;
import bot.bottle.dlp.rules.RulePack;

/** The real DLP engine of bot.bottle.dlp with its default gitleaks-format rules. */
public final class Engines {

    private static DlpScanner real;

    private Engines() {
    }

    public static synchronized DlpScanner real() {
        if (real == null) {
            try {
                real = new DlpScannerImpl(Map.of(TokenPatternDetector.ID, new TokenPatternDetector(RulePack.defaults())));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return real;
    }

    /** Test secrets: well-formed, not the documented examples, built at run time so no source file holds one. */
    public static String awsKey() {
        return "AKIA" + "QW3RT7YU2IO5PAS6";
    }

    public static String awsKey2() {
        return "AKIA" + "ZX4CV6BN3MK7LJ2H";
    }
}
