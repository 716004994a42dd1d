package bot.bottle.api.backend;

/**
 * A bottle a backend knows about.
 *
 * @param slug    the bottle's slug
 * @param backend the backend id that created it
 * @param state   {@code running}, {@code stopped}, {@code sidecar-down}, ...
 */
public record BottleStatus(String slug, String backend, String state) {
}
