package bot.bottle.api.plan;

import java.util.List;
import java.util.Objects;

/**
 * One allowed host.
 *
 * @param host               the host name (lower case)
 * @param origin             {@code manifest} or {@code provider:<id>}: who contributed the route
 * @param authScheme         {@code Bearer} or {@code token} when the proxy injects a credential, else ""
 * @param tokenEnv           the sidecar variable holding the credential (a {@link TokenSlot#slot()}),
 *                           "" when {@code authScheme} is ""
 * @param matches            request filters; empty means every request to the host is allowed
 * @param gitFetch           whether smart-HTTP clone/fetch ({@code git-upload-pack}) is allowed
 * @param outboundDetectors  {@code null}: the default detectors; empty: outbound scanning off;
 *                           otherwise exactly these detector ids
 * @param inboundDetectors   as {@code outboundDetectors}, for responses
 * @param outboundOnMatch    {@code block}, {@code redact} or {@code supervise}
 */
public record EgressRoute(String host, String origin, String authScheme, String tokenEnv,
        List<MatchRule> matches, boolean gitFetch, List<String> outboundDetectors,
        List<String> inboundDetectors, String outboundOnMatch) {
    public EgressRoute {
        Objects.requireNonNull(host, "host");
        origin = Plans.orEmpty(origin);
        authScheme = Plans.orEmpty(authScheme);
        tokenEnv = Plans.orEmpty(tokenEnv);
        matches = List.copyOf(matches);
        outboundDetectors = Plans.copyOrNull(outboundDetectors);
        inboundDetectors = Plans.copyOrNull(inboundDetectors);
        Objects.requireNonNull(outboundOnMatch, "outboundOnMatch");
    }
}
