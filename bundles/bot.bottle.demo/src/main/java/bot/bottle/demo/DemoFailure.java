package bot.bottle.demo;

/** A one-line failure with the exit status the kernel reports (it reads {@link #exitStatus()} reflectively). */
public final class DemoFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    public DemoFailure(int status, String message) {
        super(message);
        this.status = status;
    }

    public int exitStatus() {
        return status;
    }
}
