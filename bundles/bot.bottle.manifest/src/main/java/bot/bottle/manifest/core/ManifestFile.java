package bot.bottle.manifest.core;

import java.nio.file.Path;

/**
 * A manifest file found on disk.
 *
 * @param kind    agent or bottle
 * @param name    the file name without {@code .md}: the agent's or bottle's name
 * @param path    the absolute path
 * @param display the path as shown in messages ({@code bottles/dev.md}, {@code .bot-bottle/agents/x.md})
 * @param source  where it was found, which decides what it may contain
 */
public record ManifestFile(Kind kind, String name, Path path, String display, Source source) {

    public enum Kind {
        AGENT, BOTTLE;

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Where a file came from. Only {@link #HOME} is trusted with bottles. */
    public enum Source {
        /** {@code $BOT_BOTTLE_HOME/agents} or {@code $BOT_BOTTLE_HOME/bottles}. */
        HOME,
        /** The current repository's {@code .bot-bottle/agents}: agents only, no bottle keys. */
        REPO;

        public String word() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
