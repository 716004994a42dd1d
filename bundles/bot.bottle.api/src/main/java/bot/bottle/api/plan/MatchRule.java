package bot.bottle.api.plan;

import java.util.List;

/**
 * One request filter of a route. A request matches when every non-empty part matches: its path one of
 * {@code paths}, its method one of {@code methods}, and every one of {@code headers}.
 *
 * @param paths   path filters (any may match)
 * @param methods upper-case HTTP methods (any may match)
 * @param headers header filters (all must match)
 */
public record MatchRule(List<PathMatch> paths, List<String> methods, List<HeaderMatch> headers) {
    public MatchRule {
        paths = List.copyOf(paths);
        methods = List.copyOf(methods);
        headers = List.copyOf(headers);
    }
}
