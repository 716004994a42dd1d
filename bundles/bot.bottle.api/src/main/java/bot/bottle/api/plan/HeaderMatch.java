package bot.bottle.api.plan;

import java.util.Objects;

/**
 * A header filter.
 *
 * @param name  the header name (compared case-insensitively)
 * @param value the value, prefix or {@code java.util.regex} pattern
 * @param type  {@code exact}, {@code prefix} or {@code regex}
 */
public record HeaderMatch(String name, String value, String type) {
    public HeaderMatch {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(type, "type");
    }
}
