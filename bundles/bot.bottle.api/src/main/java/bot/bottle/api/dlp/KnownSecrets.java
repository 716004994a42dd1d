package bot.bottle.api.dlp;

import org.osgi.annotation.versioning.ProviderType;

/**
 * An opaque, compiled set of values that must never leave (the sidecar's token values, host secrets a
 * bottle names, the bottle's canary), built once by {@link DlpScanner#knownSecrets} and reused for
 * every scan. It never reveals the values it holds.
 */
@ProviderType
public interface KnownSecrets {
    /** How many distinct values are held (for diagnostics only). */
    int size();
}
