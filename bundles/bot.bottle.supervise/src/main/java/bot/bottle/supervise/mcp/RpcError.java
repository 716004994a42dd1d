package bot.bottle.supervise.mcp;

/** A JSON-RPC error to send back instead of a result. */
final class RpcError extends Exception {
    static final int PARSE_ERROR = -32700;
    static final int INVALID_REQUEST = -32600;
    static final int METHOD_NOT_FOUND = -32601;
    static final int INVALID_PARAMS = -32602;
    static final int INTERNAL_ERROR = -32603;

    private static final long serialVersionUID = 1L;
    final int code;

    RpcError(int code, String message) {
        super(message, null, false, false);
        this.code = code;
    }
}
