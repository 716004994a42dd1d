package bot.bottle.api.plan;

import java.util.Objects;

/**
 * A host path mounted into the agent container.
 *
 * @param source   absolute host path
 * @param target   absolute path in the container
 * @param readOnly whether the agent may write it
 */
public record Mount(String source, String target, boolean readOnly) {
    public Mount {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
    }
}
