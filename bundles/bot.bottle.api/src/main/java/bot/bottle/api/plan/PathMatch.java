package bot.bottle.api.plan;

import java.util.Objects;

/**
 * A path filter.
 *
 * @param type  {@code prefix}, {@code exact} or {@code regex}
 * @param value the path prefix, the exact path, or a {@code java.util.regex} pattern
 */
public record PathMatch(String type, String value) {
    public PathMatch {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
    }
}
