package bot.bottle.api.plan;

import java.util.Objects;

/**
 * The per-bottle canary: a random fake secret the launcher generates at start, gives to the agent, and
 * tells the sidecar's known-secrets detector about, so its appearance in outbound traffic signals
 * exfiltration. The plan holds only the variable names, never the value.
 *
 * @param agentEnv   the agent's variable ({@code BOT_BOTTLE_CANARY})
 * @param sidecarEnv the sidecar's variable ({@code EGRESS_TOKEN_CANARY})
 */
public record CanarySlot(String agentEnv, String sidecarEnv) {
    /** The names the seeds use. */
    public static final CanarySlot DEFAULT = new CanarySlot("BOT_BOTTLE_CANARY", "EGRESS_TOKEN_CANARY");

    public CanarySlot {
        Objects.requireNonNull(agentEnv, "agentEnv");
        Objects.requireNonNull(sidecarEnv, "sidecarEnv");
    }
}
