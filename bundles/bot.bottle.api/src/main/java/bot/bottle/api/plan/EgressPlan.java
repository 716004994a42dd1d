package bot.bottle.api.plan;

import java.util.List;
import java.util.Objects;

/**
 * The egress proxy's configuration for one bottle.
 *
 * @param log    {@code off}, {@code blocks} or {@code full}
 * @param routes the allowed hosts, one route per host: provider routes first, then the bottle's
 */
public record EgressPlan(String log, List<EgressRoute> routes) {
    public EgressPlan {
        Objects.requireNonNull(log, "log");
        routes = List.copyOf(routes);
    }
}
