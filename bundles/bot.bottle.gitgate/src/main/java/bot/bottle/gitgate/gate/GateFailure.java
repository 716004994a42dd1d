package bot.bottle.gitgate.gate;

/**
 * A command failure with an exit status and one clear line (the kernel reads {@link #exitStatus()}
 * reflectively): 1 findings, 2 bad usage or input, 3 the scan or the gate could not run.
 */
public final class GateFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    public GateFailure(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    public int exitStatus() {
        return status;
    }
}
