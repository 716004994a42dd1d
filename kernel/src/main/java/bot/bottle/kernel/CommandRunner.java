package bot.bottle.kernel;

import java.io.InputStream;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.ServiceReference;

/**
 * Runs one Gogo command from the launcher's argv and turns its outcome into an exit status.
 *
 * <p>Gogo's classes live in its bundle, not on the kernel's class path, so the command processor is
 * driven reflectively through its public methods. Arguments travel as session variables ({@code $a0},
 * {@code $a1}, ...) rather than being quoted into a command line, so no argument can be read as Gogo
 * syntax (pipes, closures, variables).
 */
final class CommandRunner {
    static final String PROCESSOR = "org.apache.felix.service.command.CommandProcessor";
    /** How long to wait for a command to be registered before calling it unknown. */
    private static final long WAIT_MILLIS = 15_000;
    /**
     * Service registry silence that counts as "everything that will register has registered". SCR
     * registers most services while their bundle starts, so this only covers late asynchronous ones.
     */
    private static final long SETTLE_MILLIS = Long.getLong("bot.bottle.settle.ms", 60);

    private final BundleContext ctx;
    private volatile long lastServiceEvent = System.currentTimeMillis();

    CommandRunner(BundleContext ctx) {
        this.ctx = ctx;
        ServiceListener l = e -> {
            if (e.getType() == ServiceEvent.REGISTERED) {
                lastServiceEvent = System.currentTimeMillis();
            }
        };
        ctx.addServiceListener(l);
    }

    /** Waits until the registry has been quiet for a moment (DS registers services asynchronously). */
    void settle() {
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        while (System.currentTimeMillis() - lastServiceEvent < SETTLE_MILLIS && System.currentTimeMillis() < deadline) {
            sleep(20);
        }
    }

    /**
     * Maps argv to a command: {@code scope function args} when that command exists, else
     * {@code bottle:word args}; {@code scope:function args} is taken as written.
     *
     * @return {@code null} when no such command exists
     */
    List<String> resolve(String[] args) {
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        while (true) {
            List<String> r = tryResolve(args);
            if (r != null) {
                return r;
            }
            boolean settled = System.currentTimeMillis() - lastServiceEvent >= SETTLE_MILLIS;
            if (settled || System.currentTimeMillis() > deadline) {
                return tryResolve(args);
            }
            sleep(20);
        }
    }

    private List<String> tryResolve(String[] args) {
        if (args.length >= 2 && exists(args[0], args[1])) {
            return join(args[0] + ":" + args[1], Arrays.copyOfRange(args, 2, args.length));
        }
        if (exists("bottle", args[0])) {
            return join("bottle:" + args[0], Arrays.copyOfRange(args, 1, args.length));
        }
        int colon = args[0].indexOf(':');
        if (colon > 0 && exists(args[0].substring(0, colon), args[0].substring(colon + 1))) {
            return join(args[0], Arrays.copyOfRange(args, 1, args.length));
        }
        return null;
    }

    boolean exists(String scope, String function) {
        if (!scope.matches("[A-Za-z0-9_.-]+") || !function.matches("[A-Za-z0-9_-]+")) {
            return false;
        }
        try {
            ServiceReference<?>[] refs = ctx.getAllServiceReferences(null,
                    "(&(osgi.command.scope=" + scope + ")(osgi.command.function=" + function + "))");
            return refs != null && refs.length > 0;
        } catch (InvalidSyntaxException e) {
            return false;
        }
    }

    private static List<String> join(String command, String[] rest) {
        List<String> out = new ArrayList<>();
        out.add(command);
        for (String a : rest) {
            // Gogo options take their value as the next word: --format=json becomes --format json.
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 2) {
                out.add(a.substring(0, eq));
                out.add(a.substring(eq + 1));
            } else {
                out.add(a);
            }
        }
        return out;
    }

    /** Runs the command; returns its exit status. */
    int run(List<String> command, InputStream in, PrintStream out, PrintStream err) {
        ServiceReference<?> ref = ctx.getServiceReference(PROCESSOR);
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        while (ref == null && System.currentTimeMillis() < deadline) {
            sleep(20);
            ref = ctx.getServiceReference(PROCESSOR);
        }
        if (ref == null) {
            err.println("bot-bottle: the Gogo runtime is not available (run 'bot-bottle doctor')");
            return 3;
        }
        Object processor = ctx.getService(ref);
        Object session = null;
        try {
            Method create = processor.getClass().getMethod("createSession", InputStream.class,
                    java.io.OutputStream.class, java.io.OutputStream.class);
            session = create.invoke(processor, in, out, err);
            Method put = session.getClass().getMethod("put", String.class, Object.class);
            StringBuilder line = new StringBuilder(command.get(0));
            for (int i = 1; i < command.size(); i++) {
                put.invoke(session, "a" + i, command.get(i));
                line.append(" $a").append(i);
            }
            Method execute = session.getClass().getMethod("execute", CharSequence.class);
            Object result = execute.invoke(session, line);
            if (result != null) {
                out.println(result);
            }
            out.flush();
            return 0;
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            out.flush();
            err.println("bot-bottle: " + message(cause));
            if (System.getenv("BOT_BOTTLE_DEBUG") != null) {
                cause.printStackTrace(err);
            }
            return exitStatus(cause);
        } catch (ReflectiveOperationException e) {
            err.println("bot-bottle: cannot run " + command.get(0) + ": " + e);
            return 3;
        } finally {
            if (session != null) {
                try {
                    session.getClass().getMethod("close").invoke(session);
                } catch (ReflectiveOperationException ignored) {
                    // closing anyway
                }
            }
            ctx.ungetService(ref);
        }
    }

    /** The first message in the cause chain that says something, on one line. */
    static String message(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof InvocationTargetException) {
                continue;
            }
            String m = c.getMessage();
            if (m != null && !m.isBlank()) {
                return ContribVerifier.oneLine(m);
            }
        }
        return t.getClass().getSimpleName();
    }

    /** A command's exception may carry {@code public int exitStatus()}; anything else exits 1. */
    static int exitStatus(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            try {
                Method m = c.getClass().getMethod("exitStatus");
                Object v = m.invoke(c);
                if (v instanceof Integer i && i != 0) {
                    return i;
                }
            } catch (ReflectiveOperationException ignored) {
                // not one of ours
            }
        }
        return 1;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
