package bot.bottle.gitgate.scan;

/** The push could not be scanned completely (engine error, limit, timeout): the push must be refused. */
public final class ScanFailure extends Exception {
    private static final long serialVersionUID = 1L;

    public ScanFailure(String message) {
        super(message);
    }

    public ScanFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
