package bot.bottle.api.dlp;

/** A scan could not be completed; the caller must block (fail closed). */
public class DlpException extends Exception {
    private static final long serialVersionUID = 1L;

    public DlpException(String message) {
        super(message);
    }

    public DlpException(String message, Throwable cause) {
        super(message, cause);
    }
}
