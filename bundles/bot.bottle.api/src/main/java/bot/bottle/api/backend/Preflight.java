package bot.bottle.api.backend;

import java.util.List;

/**
 * The result of a backend's preflight: one line per check.
 *
 * @param checks every check the backend made, in order
 */
public record Preflight(List<Check> checks) {
    public Preflight {
        checks = List.copyOf(checks);
    }

    /** True when every check passed. */
    public boolean ok() {
        return checks.stream().allMatch(Check::ok);
    }

    /**
     * One check.
     *
     * @param name   short name ({@code docker}, {@code runtime})
     * @param ok     whether it passed
     * @param detail what was seen, or on failure how to fix it
     */
    public record Check(String name, boolean ok, String detail) {
    }
}
