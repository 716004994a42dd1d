package bot.bottle.supervise.mcp;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import bot.bottle.supervise.core.Applier;
import bot.bottle.supervise.core.BottleState;
import bot.bottle.supervise.queue.Json;
import bot.bottle.supervise.queue.Proposal;
import bot.bottle.supervise.queue.QueueDir;
import bot.bottle.supervise.queue.Response;
import bot.bottle.supervise.queue.Tool;

/**
 * The tools the agent sees, and what a call does: validate, queue a proposal, wait for the operator
 * (bounded), collect and archive the response, report. Every failure path reports {@code isError} and
 * changes nothing: timeout, malformed response, rejection, invalid input, denied host, rate limit.
 */
public final class McpTools {

    static final String LIST_EGRESS_ROUTES = "list-egress-routes";
    static final int MAX_PAYLOAD = 256 * 1024;
    static final int MAX_JUSTIFICATION = 8 * 1024;
    private static final long POLL_MILLIS = 100;

    /** The route schema, taught in the tool descriptions (seeds' wording). */
    static final String ROUTES_SCHEMA = "Full proposed /etc/egress/routes.yaml content. "
            + "Each route entry accepts these keys:\n"
            + "  host: <hostname>                     (required)\n"
            + "  auth_scheme: Bearer|token            (must pair with token_env)\n"
            + "  token_env: <ENV_VAR_NAME>            (must pair with auth_scheme)\n"
            + "  matches:                             (optional list of match entries)\n"
            + "    - paths: [{type: prefix|exact|regex, value: /...}]\n"
            + "      methods: [GET, POST, ...]\n"
            + "      headers: [{name: X-Hdr, value: val, type: exact|regex}]\n"
            + "  git:                                 (optional; omit to block git clone/fetch)\n"
            + "    fetch: true\n"
            + "  dlp:                                 (optional DLP scanner overrides)\n"
            + "    outbound_detectors: [token_patterns, known_secrets]\n"
            + "    inbound_detectors: [naive_injection_detection]\n"
            + "Omit any key that should use its default. "
            + "`list-egress-routes` returns routes in this same format.";

    private final McpConfig config;
    private final Applier applier;
    private final RateLimiter limiter;
    private final EgressIntrospection egress;

    public McpTools(McpConfig config, Applier applier) {
        this.config = config;
        this.applier = applier;
        this.limiter = new RateLimiter(config.perMinute(), config.maxWaiting());
        this.egress = new EgressIntrospection(config.egressProxy(), 5_000);
    }

    /** A {@code tools/call} result. */
    public record Result(String text, boolean isError) {
        ObjectNode toJson() {
            ObjectNode r = Json.MAPPER.createObjectNode();
            ArrayNode content = r.putArray("content");
            ObjectNode t = content.addObject();
            t.put("type", "text");
            t.put("text", text);
            r.put("isError", isError);
            return r;
        }
    }

    /** The {@code tools/list} result. */
    public static ObjectNode definitions() {
        ObjectNode result = Json.MAPPER.createObjectNode();
        ArrayNode tools = result.putArray("tools");

        ObjectNode list = tools.addObject();
        list.put("name", LIST_EGRESS_ROUTES);
        list.put("description", "Return the bottle's live egress allowlist. Returns JSON with one entry per "
                + "allowed host, each carrying its matches rules (if any) and whether the proxy injects "
                + "Authorization for the route. Use this before composing an `allow` or `egress-block` "
                + "proposal so the new routes file extends the live one rather than replacing it.");
        ObjectNode ls = list.putObject("inputSchema");
        ls.put("type", "object");
        ls.putObject("properties");
        ls.put("additionalProperties", false);

        routesTool(tools.addObject(), Tool.ALLOW.wireName(), "Request operator approval to change the bottle's "
                + "egress allowlist. Pass the full proposed routes.yaml content, not just the new host, plus a "
                + "justification. Use `list-egress-routes` first so the proposal preserves existing routes. "
                + "The call waits for the operator's decision; once approved the new routes are live for the "
                + "next request.");
        routesTool(tools.addObject(), Tool.EGRESS_BLOCK.wireName(), "Request operator approval to change the "
                + "bottle's egress allowlist after a blocked outbound request. Pass the full proposed "
                + "routes.yaml content plus a justification. Use `list-egress-routes` first so the proposal "
                + "preserves existing routes. The call waits for the operator's decision.");

        ObjectNode cap = tools.addObject();
        cap.put("name", Tool.CAPABILITY_BLOCK.wireName());
        cap.put("description", "Request operator approval for a change to the bottle's agent image when a "
                + "tool or package you need is missing. Pass the full proposed Dockerfile plus a justification. "
                + "An approved Dockerfile is stored as the bottle's next image recipe and takes effect on the "
                + "next resume (bot-bottle resume <slug>) of the bottle, not in the running session.");
        ObjectNode cs = cap.putObject("inputSchema");
        cs.put("type", "object");
        ObjectNode cp = cs.putObject("properties");
        cp.putObject("dockerfile").put("type", "string").put("description",
                "Full proposed Dockerfile content for the agent image.");
        cp.putObject("justification").put("type", "string").put("description",
                "Why this capability is needed.");
        cs.putArray("required").add("dockerfile").add("justification");
        return result;
    }

    private static void routesTool(ObjectNode t, String name, String description) {
        t.put("name", name);
        t.put("description", description);
        ObjectNode s = t.putObject("inputSchema");
        s.put("type", "object");
        ObjectNode p = s.putObject("properties");
        p.putObject("routes_yaml").put("type", "string").put("description", ROUTES_SCHEMA);
        p.putObject("justification").put("type", "string").put("description",
                "Why this egress route is needed.");
        s.putArray("required").add("routes_yaml").add("justification");
    }

    /** Runs {@code tools/call}; blocks until the operator decides or the timeout passes. */
    Result call(JsonNode params) throws RpcError {
        if (params == null || !params.isObject()) {
            throw new RpcError(RpcError.INVALID_PARAMS, "tools/call needs params {name, arguments}");
        }
        JsonNode nameNode = params.get("name");
        if (nameNode == null || !nameNode.isTextual()) {
            throw new RpcError(RpcError.INVALID_PARAMS, "tools/call needs a string 'name'");
        }
        String name = nameNode.textValue();
        JsonNode args = params.get("arguments");
        if (args != null && !args.isNull() && !args.isObject()) {
            throw new RpcError(RpcError.INVALID_PARAMS, "'arguments' must be an object");
        }
        if (LIST_EGRESS_ROUTES.equals(name)) {
            return listRoutes();
        }
        Optional<Tool> tool = Tool.byWireName(name).filter(Tool::modifiable);
        if (tool.isEmpty()) {
            throw new RpcError(RpcError.INVALID_PARAMS, "unknown tool '" + name + "'");
        }
        return propose(tool.get(), args == null || args.isNull() ? Json.MAPPER.createObjectNode() : args);
    }

    private Result listRoutes() {
        try {
            return new Result(egress.allowlist(), false);
        } catch (IOException | RuntimeException e) {
            return new Result("cannot read the live routes from the egress proxy at "
                    + config.egressProxy().getHostString() + ":" + config.egressProxy().getPort() + ": "
                    + e.getMessage(), true);
        }
    }

    private Result propose(Tool tool, JsonNode args) {
        String field = tool == Tool.CAPABILITY_BLOCK ? "dockerfile" : "routes_yaml";
        String payload = text(args, field);
        String justification = text(args, "justification");
        if (payload == null || payload.isBlank()) {
            return new Result(tool.wireName() + ": '" + field + "' must be a non-empty string", true);
        }
        if (justification == null || justification.isBlank()) {
            return new Result(tool.wireName() + ": 'justification' must be a non-empty string", true);
        }
        if (payload.length() > MAX_PAYLOAD || justification.length() > MAX_JUSTIFICATION) {
            return new Result(tool.wireName() + ": '" + field + "' is limited to " + MAX_PAYLOAD
                    + " characters and 'justification' to " + MAX_JUSTIFICATION, true);
        }
        BottleState state = config.state();
        String current;
        try {
            current = tool == Tool.CAPABILITY_BLOCK ? state.currentDockerfile() : state.currentRoutes();
        } catch (IOException e) {
            return new Result(tool.wireName() + ": cannot read the bottle's current file: " + e.getMessage(), true);
        }
        if (tool.changesRoutes()) {
            try {
                applier.validateRoutes(payload);
                Optional<String> denied = applier.deniedAddition(current, payload);
                if (denied.isPresent()) {
                    return new Result(tool.wireName() + ": " + denied.get(), true);
                }
            } catch (IllegalArgumentException e) {
                return new Result(tool.wireName() + ": proposed " + e.getMessage(), true);
            }
        }
        if (payload.equals(current)) {
            return new Result(tool.wireName() + ": the proposed file is identical to the current one;"
                    + " nothing to approve", true);
        }
        Optional<String> limited = limiter.acquire(state.slug(), System.currentTimeMillis());
        if (limited.isPresent()) {
            return new Result(tool.wireName() + ": " + limited.get(), true);
        }
        try {
            Proposal p = Proposal.create(state.slug(), tool, payload, justification, current);
            QueueDir q = state.queue();
            q.write(p);
            return await(q, p);
        } catch (IOException e) {
            return new Result(tool.wireName() + ": cannot queue the proposal: " + e.getMessage(), true);
        } finally {
            limiter.done(state.slug());
        }
    }

    /** Polls for the response; the producer archives the pair once it has read it (see {@link Tool}). */
    private Result await(QueueDir q, Proposal p) throws IOException {
        long deadline = System.nanoTime() + config.decisionTimeout().toNanos();
        boolean withdrawn = false;
        while (true) {
            QueueDir.ResponseState rs = q.readResponse(p.id());
            if (rs instanceof QueueDir.Answered a) {
                q.archive(p.id());
                return report(p, a.response());
            }
            if (rs instanceof QueueDir.Malformed m) {
                q.archive(p.id());
                return new Result("status: error\nthe operator's response could not be read (" + m.reason()
                        + "); treated as a rejection, nothing changed", true);
            }
            if (System.nanoTime() >= deadline) {
                if (!withdrawn) {
                    if (q.claim(p.id(), "timeout")) {
                        q.archive(p.id());
                        return new Result("status: timeout\nno operator decision within "
                                + seconds(config.decisionTimeout()) + "; the proposal was withdrawn and nothing "
                                + "changed. Propose again later, or continue without it.", true);
                    }
                    // The operator claimed it at the last moment: give the apply a short grace to finish.
                    withdrawn = true;
                    deadline = System.nanoTime() + config.claimGrace().toNanos();
                    continue;
                }
                q.archive(p.id());
                return new Result("status: error\nthe operator started deciding but no response arrived within "
                        + seconds(config.claimGrace()) + "; treated as a rejection", true);
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Result("status: error\nthe supervise server is shutting down; nothing changed", true);
            }
        }
    }

    private static Result report(Proposal p, Response r) {
        StringBuilder t = new StringBuilder();
        t.append("status: ").append(r.status().wireName()).append('\n');
        t.append("notes: ").append(r.notes()).append('\n');
        if (!r.status().allows()) {
            return new Result(t.toString(), true);
        }
        if (r.status() == Response.Status.MODIFIED) {
            t.append("The operator modified your proposal before approving; this is the file that was applied:\n")
                    .append(r.finalFile());
            if (!r.finalFile().endsWith("\n")) {
                t.append('\n');
            }
        }
        if (p.tool().changesRoutes()) {
            t.append("The new routes are live: retry the request now.\n");
        } else if (p.tool() == Tool.CAPABILITY_BLOCK) {
            t.append("The approved Dockerfile is stored as the bottle's next image recipe. It takes effect on the "
                    + "next resume (bot-bottle resume <slug>) of the bottle, not in this session.\n");
        }
        return new Result(t.toString(), false);
    }

    private static String text(JsonNode args, String key) {
        JsonNode n = args.get(key);
        return n != null && n.isTextual() ? n.textValue() : null;
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }
}
