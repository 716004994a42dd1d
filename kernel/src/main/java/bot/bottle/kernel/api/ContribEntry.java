package bot.bottle.kernel.api;

/**
 * One jar in the contrib folder and what the kernel made of it.
 *
 * @param file    the jar's file name in {@code contrib/}
 * @param state   {@code active}, {@code refused} or {@code pending} (seen, not yet stable on disk)
 * @param bundle  the bundle symbolic name, or "" when unknown
 * @param version the bundle version, or ""
 * @param signer  the signer certificate's subject, or ""
 * @param reason  why it was refused, or ""
 */
public record ContribEntry(String file, String state, String bundle, String version, String signer, String reason) {
}
