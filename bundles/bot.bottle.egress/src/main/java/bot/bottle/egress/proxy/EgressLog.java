package bot.bottle.egress.proxy;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

import bot.bottle.egress.routes.Json;
import bot.bottle.egress.routes.RoutesConfig.LogLevel;
import io.netty.handler.codec.http.HttpHeaders;

/**
 * The proxy's JSON-lines log (the seeds' event shapes). {@code blocks}: an {@code egress_block} line
 * for every refusal and {@code egress_warn} for non-blocking findings; {@code full}: also
 * {@code egress_request} and {@code egress_response} for every forwarded exchange. Lifecycle events
 * ({@code egress_start}, {@code egress_reload}, {@code egress_reload_rejected}) are written at every
 * level, because an operator must see a rejected routes file.
 *
 * <p>What is never written (SECURITY-NOTES 16): bodies, query strings, values of credential-bearing
 * headers, injected token values, and the text of a DLP finding (only detector, rule and surface).
 */
public final class EgressLog {
    private static final Set<String> SENSITIVE = Set.of("authorization", "proxy-authorization", "cookie",
            "set-cookie", "x-api-key", "api-key", "x-auth-token", "private-token", "x-goog-api-key",
            "anthropic-api-key", "openai-api-key", "x-amz-security-token");

    private final Consumer<String> sink;
    private final Supplier<LogLevel> level;

    public EgressLog(Consumer<String> sink, Supplier<LogLevel> level) {
        this.sink = sink;
        this.level = level;
    }

    public boolean full() {
        return level.get() == LogLevel.FULL;
    }

    public boolean blocks() {
        return level.get() != LogLevel.OFF;
    }

    /** Always written: start, reload, reload rejected. */
    public void lifecycle(String event, Map<String, Object> fields) {
        emit(event, fields);
    }

    public void block(String host, String method, String path, Refusal r) {
        if (!blocks()) {
            return;
        }
        Map<String, Object> f = ctx(host, method, path);
        f.put("status", r.status());
        f.put("rule", r.rule());
        f.put("reason", r.reason());
        emit("egress_block", f);
    }

    public void warn(String host, String method, String path, String reason, Integer responseStatus) {
        if (!blocks()) {
            return;
        }
        Map<String, Object> f = ctx(host, method, path);
        if (responseStatus != null) {
            f.put("response_status", responseStatus);
        }
        f.put("reason", reason);
        emit("egress_warn", f);
    }

    public void request(String host, String method, String path, HttpHeaders headers, int bodyBytes) {
        if (!full()) {
            return;
        }
        Map<String, Object> f = ctx(host, method, path);
        f.put("headers", headers(headers));
        f.put("body_bytes", bodyBytes);
        emit("egress_request", f);
    }

    public void response(String host, String method, String path, int status, HttpHeaders headers, int bodyBytes,
                         long micros) {
        if (!full()) {
            return;
        }
        Map<String, Object> f = ctx(host, method, path);
        f.put("status", status);
        f.put("headers", headers(headers));
        f.put("body_bytes", bodyBytes);
        f.put("duration_us", micros);
        emit("egress_response", f);
    }

    private static Map<String, Object> ctx(String host, String method, String path) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("host", host == null ? "" : host);
        f.put("method", method == null ? "" : method);
        f.put("path", path == null ? "" : path);
        return f;
    }

    private static Map<String, Object> headers(HttpHeaders h) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (var e : h) {
            String k = e.getKey().toLowerCase(Locale.ROOT);
            String v = SENSITIVE.contains(k) ? "[redacted]" : e.getValue();
            out.merge(k, v, (a, b) -> a + ", " + b);
        }
        return out;
    }

    private void emit(String event, Map<String, Object> fields) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("ts", Instant.now().toString());
        line.put("event", event);
        line.putAll(fields);
        try {
            sink.accept(Json.write(line));
        } catch (RuntimeException e) {
            // A broken log sink must not break the proxy; the decision was already taken.
        }
    }
}
