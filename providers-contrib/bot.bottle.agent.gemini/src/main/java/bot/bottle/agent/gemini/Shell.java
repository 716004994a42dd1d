package bot.bottle.agent.gemini;

/** POSIX shell quoting for values put into setup commands. */
final class Shell {
    private Shell() {
    }

    /** The value as one shell word: bare when it is plainly safe, else single-quoted. */
    static String quote(String s) {
        if (!s.isEmpty() && s.matches("[A-Za-z0-9_@%+=:,./-]+")) {
            return s;
        }
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
