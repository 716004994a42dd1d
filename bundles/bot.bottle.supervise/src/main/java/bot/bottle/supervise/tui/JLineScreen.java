package bot.bottle.supervise.tui;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.jline.keymap.BindingReader;
import org.jline.keymap.KeyMap;
import org.jline.terminal.Attributes;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStyle;
import org.jline.utils.Display;
import org.jline.utils.InfoCmp.Capability;
import org.jline.utils.NonBlockingReader;

import bot.bottle.supervise.core.Editor;

/**
 * Draws a {@link TuiModel} on a JLine terminal and feeds it keys: the alternate screen, raw mode, a
 * {@link Display} that repaints only what changed, a poll of the inbox every {@value #TICK_MILLIS} ms
 * (producers live in sidecars, so the queue files are the only signal), and the editor for
 * {@code modify} with the terminal handed over to it.
 *
 * <p>Reads happen only on this thread, with JLine's non-blocking pty reads (no pump thread), so while
 * the editor runs nothing else reads the terminal.
 */
public final class JLineScreen {

    static final long TICK_MILLIS = 500;
    private static final long ESC_WAIT_MILLIS = 150;

    private final Terminal terminal;
    private final TuiModel model;
    private final Editor editor;
    private final Display display;
    private final KeyMap<Object> keys;
    private final BindingReader bindings;
    private volatile boolean interrupted;
    private volatile boolean resized;

    private JLineScreen(Terminal terminal, TuiModel model, Editor editor) {
        this.terminal = terminal;
        this.model = model;
        this.editor = editor;
        this.display = new Display(terminal, true);
        this.keys = keyMap(terminal);
        this.bindings = new BindingReader(terminal.reader());
    }

    /**
     * Opens the process's terminal and runs the UI until the operator quits.
     *
     * @throws IllegalStateException when the process has no usable terminal (one line, says what to use)
     */
    public static void run(TuiModel model, Editor editor) throws IOException {
        run(model, editor, null);
    }

    /**
     * @param sessionTerminal the terminal of the Gogo session running the command ({@code .terminal} in
     *                        {@code bot-bottle shell}), used as it is and left open; {@code null} (a one-shot
     *                        command) opens the process's terminal. JLine allows one system terminal per
     *                        process, so inside the shell the shell's own must be used.
     */
    public static void run(TuiModel model, Editor editor, Object sessionTerminal) throws IOException {
        if (sessionTerminal instanceof Terminal t && !Terminal.TYPE_DUMB.equals(t.getType())
                && !Terminal.TYPE_DUMB_COLOR.equals(t.getType())) {
            new JLineScreen(t, model, editor).loop();
            return;
        }
        try (Terminal t = open()) {
            new JLineScreen(t, model, editor).loop();
        }
    }

    /**
     * The process's own terminal. JLine finds its terminal providers through the context class loader
     * (service files in its jar); in OSGi that must be JLine's bundle, which loaded TerminalBuilder.
     */
    static Terminal open() throws IOException {
        Thread me = Thread.currentThread();
        ClassLoader previous = me.getContextClassLoader();
        me.setContextClassLoader(TerminalBuilder.class.getClassLoader());
        Terminal t;
        try {
            t = TerminalBuilder.builder().name("bot-bottle supervise").system(true).dumb(false).build();
        } catch (IllegalStateException | IOException e) {
            throw new IllegalStateException("supervise needs a terminal (stdin and stdout a tty): "
                    + e.getMessage() + "; without one use 'bot-bottle supervise list/show/approve/reject'");
        } finally {
            me.setContextClassLoader(previous);
        }
        if (Terminal.TYPE_DUMB.equals(t.getType()) || Terminal.TYPE_DUMB_COLOR.equals(t.getType())) {
            t.close();
            throw new IllegalStateException("supervise needs a full terminal, this one is '"
                    + t.getType() + "'; use 'bot-bottle supervise list/show/approve/reject'");
        }
        return t;
    }

    private void loop() throws IOException {
        Terminal.SignalHandler prevInt = terminal.handle(Terminal.Signal.INT, s -> interrupted = true);
        Terminal.SignalHandler prevWinch = terminal.handle(Terminal.Signal.WINCH, s -> resized = true);
        Attributes original = terminal.enterRawMode();
        enterScreen();
        try {
            model.refresh();
            long nextTick = System.currentTimeMillis() + TICK_MILLIS;
            boolean full = true;
            while (!interrupted) {
                draw(full);
                full = false;
                long wait = Math.max(1, nextTick - System.currentTimeMillis());
                int c = terminal.reader().peek(wait);
                if (c == NonBlockingReader.EOF) {
                    return;
                }
                if (c == NonBlockingReader.READ_EXPIRED || interrupted) {
                    model.refresh();
                    nextTick = System.currentTimeMillis() + TICK_MILLIS;
                    continue;
                }
                Key k = readKey();
                if (k == null) {
                    continue;
                }
                TuiModel.Effect e = model.handle(k);
                if (e instanceof TuiModel.Quit) {
                    return;
                }
                if (e instanceof TuiModel.Redraw) {
                    full = true;
                } else if (e instanceof TuiModel.Edit edit) {
                    runEditor(edit, original);
                    full = true;
                }
                if (System.currentTimeMillis() >= nextTick) {
                    model.refresh();
                    nextTick = System.currentTimeMillis() + TICK_MILLIS;
                }
            }
        } finally {
            leaveScreen();
            terminal.setAttributes(original);
            terminal.handle(Terminal.Signal.INT, prevInt);
            terminal.handle(Terminal.Signal.WINCH, prevWinch);
        }
    }

    private Key readKey() {
        Object b = bindings.readBinding(keys, null, true);
        if (b == CHAR) {
            String s = bindings.getLastBinding();
            return s == null || s.isEmpty() ? null : Key.ch(s.codePointAt(0));
        }
        return b instanceof Key.Type t ? Key.of(t) : null;
    }

    private void runEditor(TuiModel.Edit edit, Attributes original) throws IOException {
        Attributes raw = terminal.getAttributes();
        leaveScreen();
        terminal.setAttributes(original);
        try {
            model.edited(edit, editor.edit(edit.payload(), edit.suffix()));
        } catch (IOException e) {
            model.editFailed(edit, e);
        } finally {
            terminal.setAttributes(raw);
            enterScreen();
        }
    }

    private void enterScreen() {
        terminal.puts(Capability.enter_ca_mode);
        terminal.puts(Capability.keypad_xmit);
        terminal.puts(Capability.cursor_invisible);
        terminal.puts(Capability.clear_screen);
        terminal.flush();
    }

    private void leaveScreen() {
        terminal.puts(Capability.clear_screen);
        terminal.puts(Capability.cursor_visible);
        terminal.puts(Capability.keypad_local);
        terminal.puts(Capability.exit_ca_mode);
        terminal.flush();
    }

    private void draw(boolean full) {
        Size size = terminal.getSize();
        int rows = size.getRows() > 0 ? size.getRows() : 24;
        int cols = size.getColumns() > 0 ? size.getColumns() : 80;
        if (full || resized) {
            resized = false;
            terminal.puts(Capability.clear_screen);
            display.clear();
        }
        display.resize(rows, cols);
        List<AttributedString> lines = new ArrayList<>();
        for (TuiModel.Line l : model.render(cols, rows)) {
            AttributedString s = new AttributedString(l.text(), style(l.style()));
            lines.add(s.columnLength() > cols ? s.columnSubSequence(0, cols) : s);
        }
        display.update(lines, -1);
        if (model.takeBell()) {
            terminal.puts(Capability.bell);
        }
        terminal.flush();
    }

    private static AttributedStyle style(TuiModel.Style s) {
        return switch (s) {
            case HEADER -> AttributedStyle.BOLD;
            case COLUMNS -> AttributedStyle.DEFAULT.underline();
            case SELECTED -> AttributedStyle.INVERSE;
            case ERROR -> AttributedStyle.BOLD.foreground(AttributedStyle.RED);
            case STATUS -> AttributedStyle.DEFAULT.foreground(AttributedStyle.GREEN);
            case HELP -> AttributedStyle.DEFAULT.faint();
            case PROMPT -> AttributedStyle.BOLD.foreground(AttributedStyle.YELLOW);
            default -> AttributedStyle.DEFAULT;
        };
    }

    private static final Object CHAR = new Object();

    private static KeyMap<Object> keyMap(Terminal t) {
        KeyMap<Object> m = new KeyMap<>();
        for (char c = 32; c < 127; c++) {
            m.bind(CHAR, String.valueOf(c));
        }
        m.setUnicode(CHAR);
        m.setAmbiguousTimeout(ESC_WAIT_MILLIS);
        bind(m, t, Key.Type.UP, Capability.key_up, "\033[A", "\033OA");
        bind(m, t, Key.Type.DOWN, Capability.key_down, "\033[B", "\033OB");
        bind(m, t, Key.Type.RIGHT, Capability.key_right, "\033[C", "\033OC");
        bind(m, t, Key.Type.LEFT, Capability.key_left, "\033[D", "\033OD");
        bind(m, t, Key.Type.PAGE_UP, Capability.key_ppage, "\033[5~");
        bind(m, t, Key.Type.PAGE_DOWN, Capability.key_npage, "\033[6~");
        bind(m, t, Key.Type.HOME, Capability.key_home, "\033[H", "\033OH", "\033[1~");
        bind(m, t, Key.Type.END, Capability.key_end, "\033[F", "\033OF", "\033[4~");
        bind(m, t, Key.Type.BACKSPACE, Capability.key_backspace, "\177", "\b");
        m.bind(Key.Type.ENTER, "\r", "\n");
        m.bind(Key.Type.ESC, "\033");
        m.bind(Key.Type.CTRL_C, "\003");
        m.bind(Key.Type.CTRL_L, "\014");
        return m;
    }

    private static void bind(KeyMap<Object> m, Terminal t, Key.Type type, Capability cap, String... fallbacks) {
        String seq = KeyMap.key(t, cap);
        if (seq != null && !seq.isEmpty()) {
            m.bind(type, seq);
        }
        m.bind(type, fallbacks);
    }
}
