package bot.bottle.supervise.core;

/**
 * A command failure with an exit status and one clear line; the kernel reads {@link #exitStatus()}
 * reflectively and prints the message.
 */
public final class CommandFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    public CommandFailure(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int exitStatus() {
        return status;
    }

    /** Maps the core's refusals: a bad request exits 2, a refused or failed decision 3. */
    public static CommandFailure of(RuntimeException e) {
        if (e instanceof CommandFailure cf) {
            return cf;
        }
        return new CommandFailure(e instanceof IllegalArgumentException ? 2 : 3, e.getMessage());
    }
}
