package bot.bottle.manifest.core;

/**
 * One thing wrong with a manifest, formatted {@code file:line: key.path: message}.
 *
 * @param file    the file as the user knows it ({@code bottles/dev.md}); never empty
 * @param line    1-based line, or 0 when the problem has no line (then it is left out)
 * @param path    the key path ({@code egress.routes[2].host}), or "" for a whole-file problem
 * @param message what is wrong, and when useful what was expected
 */
public record Problem(String file, int line, String path, String message) {

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(file);
        if (line > 0) {
            b.append(':').append(line);
        }
        b.append(": ");
        if (!path.isEmpty()) {
            b.append(path).append(": ");
        }
        return b.append(message).toString();
    }
}
