package bot.bottle.manifest.command;

/**
 * A command failed for a reason the user can act on. The kernel reads {@link #exitStatus()}
 * reflectively and prints the one-line message.
 */
public final class CommandFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** A manifest was refused. */
    public static final int MANIFEST = 2;
    /** Nothing can run the bottle (no backend bundle, or an ambiguous choice). */
    public static final int NO_BACKEND = 3;
    /** Bad command-line usage. */
    public static final int USAGE = 64;

    private final int status;

    public CommandFailure(int status, String message) {
        super(message);
        this.status = status;
    }

    public int exitStatus() {
        return status;
    }
}
