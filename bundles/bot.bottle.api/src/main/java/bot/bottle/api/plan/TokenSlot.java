package bot.bottle.api.plan;

import java.util.Objects;

/**
 * A credential the sidecar injects. The launcher copies the value of the host variable
 * {@code tokenRef} into the sidecar's variable {@code slot}; the agent never sees either value.
 *
 * @param slot     the sidecar variable ({@code EGRESS_TOKEN_1}, ...); routes name it as {@code token_env}
 * @param tokenRef the host variable holding the real value
 */
public record TokenSlot(String slot, String tokenRef) {
    public TokenSlot {
        Objects.requireNonNull(slot, "slot");
        Objects.requireNonNull(tokenRef, "tokenRef");
    }
}
