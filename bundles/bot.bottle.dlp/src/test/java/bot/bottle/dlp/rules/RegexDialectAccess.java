package bot.bottle.dlp.rules;

/** Test access to the package-private translation step. */
public final class RegexDialectAccess {
    private RegexDialectAccess() {
    }

    public static String translate(String re) {
        return RegexDialect.translate(re);
    }
}
