package bot.bottle.manifest.command;

import java.nio.file.Path;
import java.util.function.Function;

/** Where the bot-bottle home is: framework property, then environment, then system property, then ~. */
final class Home {
    private Home() {
    }

    static Path resolve(Function<String, String> frameworkProperty) {
        String v = frameworkProperty == null ? null : frameworkProperty.apply("bot.bottle.home");
        if (blank(v)) {
            v = System.getenv("BOT_BOTTLE_HOME");
        }
        if (blank(v)) {
            v = System.getProperty("bot.bottle.home");
        }
        if (blank(v)) {
            return Path.of(System.getProperty("user.home"), ".bot-bottle");
        }
        return Path.of(v);
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
