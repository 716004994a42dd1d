package bot.bottle.dlp.detect;

/**
 * Marker for built-in detectors that must also see the raw, un-normalised text (normalisation removes
 * exactly the invisible characters the injection detector reports, and the known-secrets detector
 * matches the raw encodings of its values too).
 */
public interface WantsRawText {
    /** Whether the raw text holds anything the canonical view lost that this detector looks for. */
    boolean wantsRaw(String raw);
}
