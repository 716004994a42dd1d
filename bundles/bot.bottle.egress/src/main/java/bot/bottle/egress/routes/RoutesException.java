package bot.bottle.egress.routes;

/** A routes file was refused; the message is one line that names the key path. */
public final class RoutesException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public RoutesException(String message) {
        super(message);
    }
}
