package bot.bottle.manifest.core;

/**
 * Where a value was written: a file, a line and its key path, so problems found after parsing (while
 * composing or planning) still name the place the user has to change.
 */
public record Loc(String file, int line, String path) {

    /** A problem at this place. */
    public Problem problem(String message) {
        return new Problem(file, line, path, message);
    }

    /** The same place with another key path. */
    public Loc at(String otherPath) {
        return new Loc(file, line, otherPath);
    }
}
