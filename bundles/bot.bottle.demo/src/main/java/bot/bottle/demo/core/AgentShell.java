package bot.bottle.demo.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import bot.bottle.api.backend.BottleBackend;
import bot.bottle.api.backend.ExecResult;

/** Runs the rogue agent's shell snippets inside the bottle, as the agent, through {@link BottleBackend#exec}. */
public final class AgentShell {
    static final String WORK = "/tmp/demo";

    /**
     * A {@code req} shell function: one curl request, its outcome as {@code key=value} lines (status,
     * curl's exit code, the proxy's refusal header and the rule and reason lines of its refusal body).
     */
    static final String PRELUDE = "mkdir -p " + WORK + "; cd " + WORK + " || exit 90\n"
            + "req() {\n"
            + "  rm -f .b .h .e\n"
            + "  code=$(curl -sS --max-time 20 -o .b -D .h -w '%{http_code}' \"$@\" 2>.e); rc=$?\n"
            + "  echo \"${P:-}code=$code\"; echo \"${P:-}rc=$rc\"\n"
            + "  echo \"${P:-}refusal=$(grep -i '^x-bot-bottle-egress:' .h 2>/dev/null | tail -1 | tr -d '\\r' | cut -d' ' -f2-)\"\n"
            + "  echo \"${P:-}rule=$(grep -m1 '^rule:' .b 2>/dev/null | cut -c7-)\"\n"
            + "  echo \"${P:-}reason=$(grep -m1 '^reason:' .b 2>/dev/null | cut -c9-)\"\n"
            + "  echo \"${P:-}err=$(head -c 300 .e 2>/dev/null | tr '\\n' ' ')\"\n"
            + "  echo \"${P:-}body=$(head -c 200 .b 2>/dev/null | tr '\\n' ' ')\"\n"
            + "}\n";

    private final BottleBackend backend;
    private final String slug;

    public AgentShell(BottleBackend backend, String slug) {
        this.backend = backend;
        this.slug = slug;
    }

    /** Runs {@code script} with {@code bash -c} (after the prelude); {@code args} become $1, $2, ... */
    public ExecResult run(String script, Duration timeout, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", "-c", PRELUDE + script, "rogue-agent"));
        cmd.addAll(List.of(args));
        return backend.exec(slug, cmd, timeout);
    }

    /** Runs and parses the {@code key=value} lines of its output. */
    public Map<String, String> kv(String script, String... args) throws Exception {
        ExecResult r = run(script, Duration.ofSeconds(90), args);
        Map<String, String> m = parse(r.stdout());
        m.putIfAbsent("exec_exit", Integer.toString(r.exitCode()));
        if (!r.stderr().isBlank()) {
            m.putIfAbsent("stderr", r.stderr().strip());
        }
        return m;
    }

    /** {@code key=value} lines to a map; a repeated key keeps its first value; other lines are ignored. */
    static Map<String, String> parse(String out) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0 && line.substring(0, eq).matches("[A-Za-z0-9_]+")) {
                m.putIfAbsent(line.substring(0, eq), line.substring(eq + 1).strip());
            }
        }
        return m;
    }
}
