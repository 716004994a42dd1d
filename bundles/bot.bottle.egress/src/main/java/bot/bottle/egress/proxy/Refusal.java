package bot.bottle.egress.proxy;

/**
 * Why a request was refused: an HTTP status, a short reason safe to show the agent and to log (never a
 * secret, never a token value), and the rule that decided it.
 *
 * @param status HTTP status sent to the agent (403 for policy, 400 for malformed, 413/502/503/504)
 * @param rule   a stable id for the deciding rule ({@code host-not-allowed}, {@code dlp}, ...)
 * @param reason one human line
 */
public record Refusal(int status, String rule, String reason) {
    public static Refusal forbidden(String rule, String reason) {
        return new Refusal(403, rule, reason);
    }

    public static Refusal bad(String rule, String reason) {
        return new Refusal(400, rule, reason);
    }
}
