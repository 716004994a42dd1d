package bot.bottle.cli;

/** A command failed for a reason the user can act on; the launcher exits with {@link #exitStatus()}. */
public final class CommandFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    public CommandFailed(int status, String message) {
        super(message);
        this.status = status;
    }

    /** Read reflectively by the kernel's command runner. */
    public int exitStatus() {
        return status;
    }
}
