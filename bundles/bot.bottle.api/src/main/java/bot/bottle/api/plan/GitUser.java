package bot.bottle.api.plan;

import java.util.Objects;

/**
 * The commit identity inside the bottle.
 *
 * @param name  {@code user.name}
 * @param email {@code user.email}
 */
public record GitUser(String name, String email) {
    public GitUser {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(email, "email");
    }
}
