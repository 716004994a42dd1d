package bot.bottle.backend.docker;

/** A command failure with one clear line and an exit status (read reflectively by the kernel). */
public final class BackendFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    public BackendFailure(int status, String message) {
        super(message);
        this.status = status;
    }

    public int exitStatus() {
        return status;
    }
}
