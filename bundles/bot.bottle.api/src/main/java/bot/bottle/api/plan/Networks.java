package bot.bottle.api.plan;

import java.util.Objects;

/**
 * The networks of one bottle.
 *
 * @param internal the agent's network: no route out, its one peer is the sidecar
 * @param egress   the sidecar's NAT network to the allowed upstreams
 */
public record Networks(String internal, String egress) {
    public Networks {
        Objects.requireNonNull(internal, "internal");
        Objects.requireNonNull(egress, "egress");
    }

    /** The conventional names for a slug: {@code bot-bottle-<slug>-internal} and {@code -egress}. */
    public static Networks forSlug(String slug) {
        return new Networks("bot-bottle-" + slug + "-internal", "bot-bottle-" + slug + "-egress");
    }
}
