package bot.bottle.dlp.cli;

/**
 * Ends a {@code dlp:*} command with an exit status (read reflectively by the kernel): 1 when something
 * was found, 2 when the command could not run (unreadable file, bad rules, refused HTTP message). The
 * message is one line and never contains scanned content.
 */
public final class DlpCommandException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    public static final int FOUND = 1;
    public static final int ERROR = 2;
    private final int status;

    public DlpCommandException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int exitStatus() {
        return status;
    }
}
