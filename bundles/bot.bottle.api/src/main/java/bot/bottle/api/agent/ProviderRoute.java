package bot.bottle.api.agent;

/**
 * An egress route a provider contributes (its own API host), with the token it injects.
 *
 * @param host            the API host
 * @param authScheme      {@code Bearer} or {@code token}, or "" for no injection
 * @param tokenRef        the host variable holding the real token, or ""
 * @param outboundOnMatch the DLP policy ({@code redact} by default for provider routes)
 */
public record ProviderRoute(String host, String authScheme, String tokenRef, String outboundOnMatch) {
}
