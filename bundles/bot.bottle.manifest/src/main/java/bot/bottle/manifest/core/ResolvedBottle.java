package bot.bottle.manifest.core;

import java.util.List;

/**
 * A bottle with its {@code extends} chain composed.
 *
 * @param merged the effective bottle (named and located as the requested bottle)
 * @param chain  the files that contributed, from the root base to the bottle itself
 */
record ResolvedBottle(Specs.Bottle merged, List<ManifestFile> chain) {
}
