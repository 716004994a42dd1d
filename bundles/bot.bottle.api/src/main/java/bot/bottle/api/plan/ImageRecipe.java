package bot.bottle.api.plan;

import java.util.Objects;

/**
 * Where the agent image comes from.
 *
 * @param kind       {@code dockerfile} when the bottle names one ({@code agent_provider.dockerfile}),
 *                   otherwise {@code provider} (the provider's own recipe)
 * @param dockerfile the absolute host path of the bottle's Dockerfile, or "" for {@code provider}
 * @param recipe     the provider's recipe text for {@code provider}, "" when the provider gave none
 * @param tag        the image tag the backend builds and runs
 */
public record ImageRecipe(String kind, String dockerfile, String recipe, String tag) {
    public ImageRecipe {
        Objects.requireNonNull(kind, "kind");
        dockerfile = Plans.orEmpty(dockerfile);
        recipe = Plans.orEmpty(recipe);
        Objects.requireNonNull(tag, "tag");
    }
}
