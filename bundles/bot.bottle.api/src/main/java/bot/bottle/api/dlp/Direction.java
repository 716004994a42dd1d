package bot.bottle.api.dlp;

/** Which way the scanned content travels. */
public enum Direction {
    /** From the agent towards the outside world (requests, pushes). */
    OUTBOUND,
    /** From the outside world towards the agent (responses). */
    INBOUND
}
