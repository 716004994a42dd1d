package bot.bottle.dlp.engine;

/** A scan hit one of its limits (size, decoded volume, views); the caller must fail closed. */
public final class ScanLimitException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ScanLimitException(String message) {
        super(message);
    }
}
