package bot.bottle.demo.core;

/**
 * What the agent runs to call a supervise MCP tool with curl: {@code initialize} (which returns the
 * session id), {@code notifications/initialized}, then the {@code tools/call} given as $1. The call waits
 * for the operator, so it runs in the background with every stream redirected (the exec returns at
 * once); its answer lands in {@code allow.json}.
 */
final class McpScript {
    private McpScript() {
    }

    static final String URL = "http://sidecar:9100/mcp";
    private static final String HEADERS = "-H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream'";

    static final String BACKGROUND_ALLOW = "rm -f allow.json\n"
            + "(\n"
            + "  curl -sS -D init.h -o init.b " + HEADERS + " --data '{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\","
            + "\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},"
            + "\"clientInfo\":{\"name\":\"rogue-agent\",\"version\":\"1.0\"}}}' " + URL + "\n"
            + "  sid=$(tr -d '\\r' < init.h | awk -F': ' 'tolower($1)==\"mcp-session-id\" {print $2}')\n"
            + "  echo \"session=$sid\"\n"
            + "  curl -sS -o /dev/null " + HEADERS + " -H \"Mcp-Session-Id: $sid\" -H 'MCP-Protocol-Version: 2025-06-18'"
            + " --data '{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}' " + URL + "\n"
            + "  curl -sS --max-time 150 -o allow.part " + HEADERS + " -H \"Mcp-Session-Id: $sid\""
            + " -H 'MCP-Protocol-Version: 2025-06-18' --data \"$1\" " + URL + "\n"
            + "  echo \"call=$?\"; mv allow.part allow.json\n"
            + ") >mcp.log 2>&1 </dev/null &\n"
            + "echo started\n";
}
