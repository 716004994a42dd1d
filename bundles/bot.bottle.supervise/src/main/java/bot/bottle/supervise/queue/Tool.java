package bot.bottle.supervise.queue;

import java.util.Optional;

/**
 * The proposal kinds that share the queue, with the seeds' wire names.
 *
 * <p>Archiving is always the producer's job: the process that wrote a proposal and waits for its
 * response moves the pair to {@code processed/} after it has read the response. A channel that archived
 * on approval would make the response vanish before a polling producer saw it (the seeds' git-gate hang,
 * fixed in commit 88c4f61901). Channels therefore only ever write responses.
 */
public enum Tool {
    /** MCP: the agent proposes a full routes.yaml that allows more. */
    ALLOW("allow", "the MCP server", true, ".yaml"),
    /** MCP: the agent proposes a full routes.yaml after a blocked request. */
    EGRESS_BLOCK("egress-block", "the MCP server", true, ".yaml"),
    /** MCP: the agent proposes its next image recipe. */
    CAPABILITY_BLOCK("capability-block", "the MCP server", true, ".dockerfile"),
    /** Git gate: a push carries findings hidden by {@code gitleaks:allow}; report only. */
    GITLEAKS_ALLOW("gitleaks-allow", "the git gate", false, ".txt"),
    /** Egress DLP: a request carries a token-shaped value; report only. */
    EGRESS_TOKEN_ALLOW("egress-token-allow", "the egress proxy", false, ".txt");

    private final String wireName;
    private final String producer;
    private final boolean modifiable;
    private final String editorSuffix;

    Tool(String wireName, String producer, boolean modifiable, String editorSuffix) {
        this.wireName = wireName;
        this.producer = producer;
        this.modifiable = modifiable;
        this.editorSuffix = editorSuffix;
    }

    /** The name in proposal files and MCP {@code tools/call}. */
    public String wireName() {
        return wireName;
    }

    /** Who writes proposals of this kind and archives them after reading the response. */
    public String producer() {
        return producer;
    }

    /** Whether an operator may edit the payload before approving ({@code supervise:modify}). */
    public boolean modifiable() {
        return modifiable;
    }

    /** Report-only kinds record why a human let a flagged value through: approval needs a reason. */
    public boolean approvalNeedsReason() {
        return !modifiable;
    }

    /** Whether approval rewrites the bottle's live egress routes. */
    public boolean changesRoutes() {
        return this == ALLOW || this == EGRESS_BLOCK;
    }

    /** File name suffix for the editor, so it picks the right syntax. */
    public String editorSuffix() {
        return editorSuffix;
    }

    /** Looks a wire name up; empty for an unknown tool. */
    public static Optional<Tool> byWireName(String name) {
        for (Tool t : values()) {
            if (t.wireName.equals(name)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return wireName;
    }
}
