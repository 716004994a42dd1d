package bot.bottle.manifest.command;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.util.function.Function;

/** Asks questions one line at a time; an empty answer takes the default; bounded retries. */
final class Prompter {
    static final int ATTEMPTS = 3;

    private final BufferedReader in;
    private final PrintStream out;

    Prompter(BufferedReader in, PrintStream out) {
        this.in = in;
        this.out = out;
    }

    /**
     * @param check returns null when the answer is fine, otherwise why not
     */
    String ask(String question, String def, Function<String, String> check) throws IOException {
        for (int i = 0; i < ATTEMPTS; i++) {
            out.print(question + (def.isEmpty() ? "" : " [" + def + "]") + ": ");
            out.flush();
            String line = in.readLine();
            if (line == null) {
                throw new CommandFailure(CommandFailure.USAGE, "init: input ended before \"" + question + "\" was answered");
            }
            String v = line.strip().isEmpty() ? def : line.strip();
            String why = check.apply(v);
            if (why == null) {
                return v;
            }
            out.println("  " + why);
        }
        throw new CommandFailure(CommandFailure.USAGE, "init: no valid answer to \"" + question + "\" after "
                + ATTEMPTS + " tries");
    }
}
