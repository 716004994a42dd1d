package bot.bottle.api.backend;

/**
 * What a command run in a bottle's agent produced.
 *
 * @param exitCode the command's exit status ({@code -1} when it was killed at its timeout)
 * @param stdout   its standard output (UTF-8, possibly truncated by the backend)
 * @param stderr   its standard error
 */
public record ExecResult(int exitCode, String stdout, String stderr) {
    public ExecResult {
        stdout = stdout == null ? "" : stdout;
        stderr = stderr == null ? "" : stderr;
    }
}
