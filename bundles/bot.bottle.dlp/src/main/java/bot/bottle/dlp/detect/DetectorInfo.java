package bot.bottle.dlp.detect;

/** Optional facts a built-in detector exposes to {@code dlp:detectors}. */
public interface DetectorInfo {
    /** How many rules the detector runs. */
    int ruleCount();
}
