package bot.bottle.dlp.rules;

/** A rule file could not be loaded; the message names the file and the rule. */
public final class RuleLoadException extends Exception {
    private static final long serialVersionUID = 1L;

    public RuleLoadException(String message) {
        super(message);
    }

    public RuleLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
