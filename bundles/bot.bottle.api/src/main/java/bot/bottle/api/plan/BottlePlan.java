package bot.bottle.api.plan;

import java.util.Objects;

/**
 * The resolved plan of one bottle: everything a backend needs to run it, and nothing secret (token
 * names and placeholders only, never values). Immutable.
 *
 * <p>The manifest bundle builds plans; backends execute them. This first cut carries identity only;
 * the manifest issue grows it into the full model (routes, token slots, git-gate repos, canary slot).
 *
 * @param slug     the bottle instance's slug (state directory name, container name suffix)
 * @param agent    the agent's name
 * @param bottle   the bottle's name
 * @param provider the agent provider id ({@code claude}, {@code codex}, ...)
 */
public record BottlePlan(String slug, String agent, String bottle, String provider) {
    public BottlePlan {
        Objects.requireNonNull(slug, "slug");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(bottle, "bottle");
        Objects.requireNonNull(provider, "provider");
    }
}
