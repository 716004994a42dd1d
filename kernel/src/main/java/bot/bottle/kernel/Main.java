package bot.bottle.kernel;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code bot-bottle [command args...]}: boots the kernel, runs one Gogo command and exits with its
 * status; {@code bot-bottle shell} opens the interactive Gogo shell instead.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] argv) throws Exception {
        String[] args = argv.length == 0 ? new String[] {"help"} : argv;
        Path home = Kernel.defaultHome();
        Path dist = Kernel.defaultDist();
        if (args[0].equals("shell")) {
            System.exit(shell(home, dist));
        }
        if (args[0].equals("daemon")) {
            System.exit(daemon(home, dist));
        }
        System.exit(oneShot(home, dist, args));
    }

    static int oneShot(Path home, Path dist, String[] args) throws Exception {
        // The real stdin/stdout/stderr, taken before Gogo replaces System.out with its per-thread stream
        // (which would route the session's output back into itself).
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true);
        InputStream in = new FileInputStream(FileDescriptor.in);
        Kernel kernel = new Kernel(home, dist, Map.of(), true);
        Thread hook = new Thread(kernel::close, "bot-bottle-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        kernel.start(true);
        CommandRunner runner = new CommandRunner(kernel.context());
        List<String> command = runner.resolve(args);
        int status;
        if (command == null) {
            err.println("bot-bottle: unknown command '" + String.join(" ", args).trim()
                    + "' (run 'bot-bottle help' for the list)");
            status = 2;
        } else {
            if (command.get(0).equals("bottle:help")) {
                runner.settle(); // help lists everything, so wait for every command to register
            }
            status = runner.run(command, in, out, err);
        }
        return status;
    }

    /**
     * {@code bot-bottle daemon}: boots the kernel and keeps it running until the process is stopped
     * (SIGTERM/SIGINT). The sidecar runs this way; its bundles start their servers from framework
     * properties ({@code -Dbot.bottle.egress.routes=...}, ...).
     */
    static int daemon(Path home, Path dist) throws Exception {
        // first of all: from here on the sidecar's ports take connections (they wait in the backlog)
        Listeners listeners;
        try {
            listeners = Listeners.bind(System.getProperty(Listeners.PROPERTY));
        } catch (java.io.IOException | IllegalArgumentException e) {
            System.err.println("bot-bottle: " + e.getMessage());
            return 1;
        }
        Kernel kernel = new Kernel(home, dist, Map.of(bot.bottle.kernel.api.KernelService.MODE,
                bot.bottle.kernel.api.KernelService.MODE_DAEMON), true).withListeners(listeners);
        Runtime.getRuntime().addShutdownHook(new Thread(kernel::close, "bot-bottle-shutdown"));
        kernel.start(true);
        System.err.println("bot-bottle: kernel running (" + kernel.context().getBundles().length + " bundles)");
        kernel.framework().waitForStop(0);
        return 0;
    }

    static int shell(Path home, Path dist) throws Exception {
        // An empty gosh.args lets the Gogo JLine bundle open its interactive shell on this terminal;
        // leaving the shell stops the framework.
        Kernel kernel = new Kernel(home, dist, Map.of(bot.bottle.kernel.api.KernelService.MODE, "shell"), true);
        Runtime.getRuntime().addShutdownHook(new Thread(kernel::close, "bot-bottle-shutdown"));
        kernel.start(true, true);
        kernel.framework().waitForStop(0);
        return 0;
    }
}
