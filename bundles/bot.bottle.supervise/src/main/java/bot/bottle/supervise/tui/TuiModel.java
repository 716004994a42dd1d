package bot.bottle.supervise.tui;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import bot.bottle.api.approval.Decision;
import bot.bottle.api.approval.PendingProposal;
import bot.bottle.supervise.core.Shell;
import bot.bottle.supervise.queue.Tool;
import bot.bottle.supervise.text.Sanitizer;

/**
 * The terminal UI without a terminal: state, key handling and rendering to plain lines. The JLine layer
 * ({@link JLineScreen}) only decodes keys, draws the lines and runs the editor, so everything an operator
 * sees and every decision the UI makes is tested here without a terminal.
 *
 * <p>Proposals are addressed as {@code <bottle>/<id>}: ids are chosen in the sidecars and may repeat
 * across bottles, and the decision must reach the proposal that was on the screen.
 *
 * <p>Every approval goes through a prompt: one Enter for routes and capability changes (the reason is
 * optional), a reason that cannot be empty for report-only kinds ({@code gitleaks-allow},
 * {@code egress-token-allow}). A stray key press therefore never approves anything.
 */
public final class TuiModel {

    /** The channel id recorded in responses and the audit log. */
    public static final String CHANNEL = "tui";
    static final int MAX_REASON = 500;

    /** What the screen shows. */
    public enum Mode {
        LIST, DETAIL, PROMPT
    }

    /** How a rendered line is drawn. */
    public enum Style {
        HEADER, COLUMNS, NORMAL, SELECTED, STATUS, ERROR, HELP, PROMPT
    }

    /** One screen line. */
    public record Line(String text, Style style) {
    }

    /** What the screen must do after a key. */
    public sealed interface Effect permits None, Quit, Redraw, Edit {
    }

    /** Nothing beyond redrawing. */
    public record None() implements Effect {
    }

    /** Leave the UI. */
    public record Quit() implements Effect {
    }

    /** Clear and redraw the whole screen. */
    public record Redraw() implements Effect {
    }

    /**
     * Suspend the screen, let the operator edit {@code payload} in their editor, then call
     * {@link #edited} or {@link #editFailed}.
     */
    public record Edit(String key, String tool, String payload, String suffix) implements Effect {
    }

    private static final Effect NONE = new None();

    private final TuiBackend backend;
    private final String approver;
    private final Clock clock;

    private List<PendingProposal> items = List.of();
    private final Set<String> seen = new HashSet<>();
    private boolean loaded;
    private int selected;
    private String selectedKey;
    private int listTop;

    private Mode mode = Mode.LIST;
    private String detailKey;
    private List<String> detail = List.of();
    private int detailTop;

    private boolean promptReject;
    private boolean reasonRequired;
    private String promptKey;
    private String promptLabel = "";
    private final StringBuilder buffer = new StringBuilder();
    private Mode promptReturn = Mode.LIST;

    private String status = "";
    private boolean statusError;
    private boolean bell;
    private int bodyRows = 10;

    public TuiModel(TuiBackend backend, String approver, Clock clock) {
        this.backend = backend;
        this.approver = approver;
        this.clock = clock;
    }

    public static String key(PendingProposal p) {
        return p.bottle() + "/" + p.id();
    }

    public Mode mode() {
        return mode;
    }

    public List<PendingProposal> items() {
        return items;
    }

    public Optional<PendingProposal> selected() {
        return items.isEmpty() ? Optional.empty() : Optional.of(items.get(selected));
    }

    public String status() {
        return status;
    }

    public boolean statusIsError() {
        return statusError;
    }

    /** Whether the terminal bell should ring (a new proposal arrived); reading it clears it. */
    public boolean takeBell() {
        boolean b = bell;
        bell = false;
        return b;
    }

    /** Re-reads the inbox; called on a timer and after every decision. */
    public void refresh() {
        List<PendingProposal> now;
        try {
            now = List.copyOf(backend.pending());
        } catch (RuntimeException e) {
            error("cannot read the supervise inbox: " + e.getMessage());
            return;
        }
        List<PendingProposal> arrived = new ArrayList<>();
        for (PendingProposal p : now) {
            if (seen.add(key(p)) && loaded) {
                arrived.add(p);
            }
        }
        loaded = true;
        items = now;
        int idx = indexOf(selectedKey);
        selected = idx >= 0 ? idx : Math.max(0, Math.min(selected, items.size() - 1));
        selectedKey = items.isEmpty() ? null : key(items.get(selected));
        if (!arrived.isEmpty()) {
            PendingProposal p = arrived.get(arrived.size() - 1);
            info(arrived.size() == 1 ? "new proposal: " + line(p.tool()) + " from " + line(p.bottle())
                    : arrived.size() + " new proposals");
            bell = true;
        }
        String open = mode == Mode.DETAIL ? detailKey : mode == Mode.PROMPT ? promptKey : null;
        if (open != null && indexOf(open) < 0) {
            mode = Mode.LIST;
            error("proposal " + open + " is no longer pending (decided elsewhere, or withdrawn after a timeout)");
        }
    }

    private int indexOf(String key) {
        if (key == null) {
            return -1;
        }
        for (int i = 0; i < items.size(); i++) {
            if (key(items.get(i)).equals(key)) {
                return i;
            }
        }
        return -1;
    }

    /** Handles one key. */
    public Effect handle(Key k) {
        return switch (mode) {
            case PROMPT -> prompt(k);
            case DETAIL -> detail(k);
            default -> list(k);
        };
    }

    private Effect list(Key k) {
        switch (k.type()) {
            case UP -> move(-1);
            case DOWN -> move(1);
            case PAGE_UP -> move(-Math.max(1, bodyRows - 1));
            case PAGE_DOWN -> move(Math.max(1, bodyRows - 1));
            case HOME -> move(-items.size());
            case END -> move(items.size());
            case ENTER, RIGHT -> openDetail();
            case CTRL_C -> {
                return new Quit();
            }
            case CTRL_L -> {
                return new Redraw();
            }
            case CHAR -> {
                return command(k, Mode.LIST);
            }
            default -> {
            }
        }
        return NONE;
    }

    private Effect command(Key k, Mode from) {
        switch (k.ch()) {
            case 'q' -> {
                return new Quit();
            }
            case 'j' -> {
                if (from == Mode.LIST) {
                    move(1);
                } else {
                    scroll(1);
                }
            }
            case 'k' -> {
                if (from == Mode.LIST) {
                    move(-1);
                } else {
                    scroll(-1);
                }
            }
            case 'a' -> startPrompt(false, from);
            case 'r' -> startPrompt(true, from);
            case 'm' -> {
                return modify();
            }
            case 'l' -> {
                if (from == Mode.LIST) {
                    openDetail();
                }
            }
            case 'h' -> {
                if (from == Mode.DETAIL) {
                    mode = Mode.LIST;
                }
            }
            case ' ' -> {
                if (from == Mode.DETAIL) {
                    scroll(Math.max(1, bodyRows - 1));
                }
            }
            default -> {
            }
        }
        return NONE;
    }

    private Effect detail(Key k) {
        switch (k.type()) {
            case UP -> scroll(-1);
            case DOWN -> scroll(1);
            case PAGE_UP -> scroll(-Math.max(1, bodyRows - 1));
            case PAGE_DOWN -> scroll(Math.max(1, bodyRows - 1));
            case HOME -> detailTop = 0;
            case END -> detailTop = Integer.MAX_VALUE / 2;
            case ESC, LEFT, BACKSPACE -> mode = Mode.LIST;
            case CTRL_C -> {
                return new Quit();
            }
            case CTRL_L -> {
                return new Redraw();
            }
            case CHAR -> {
                return command(k, Mode.DETAIL);
            }
            default -> {
            }
        }
        return NONE;
    }

    private void move(int delta) {
        if (items.isEmpty()) {
            return;
        }
        selected = Math.max(0, Math.min(items.size() - 1, selected + delta));
        selectedKey = key(items.get(selected));
    }

    private void scroll(int delta) {
        detailTop = Math.max(0, detailTop + delta);
    }

    private void openDetail() {
        Optional<PendingProposal> p = selected();
        if (p.isEmpty()) {
            return;
        }
        String k = key(p.get());
        try {
            detail = List.of(backend.describe(k).split("\n", -1));
        } catch (RuntimeException e) {
            error(e.getMessage());
            return;
        }
        detailKey = k;
        detailTop = 0;
        mode = Mode.DETAIL;
    }

    private void startPrompt(boolean reject, Mode from) {
        Optional<PendingProposal> sel = from == Mode.DETAIL ? find(detailKey) : selected();
        if (sel.isEmpty()) {
            return;
        }
        PendingProposal p = sel.get();
        Optional<Tool> tool = Tool.byWireName(p.tool());
        promptReject = reject;
        // unknown kinds are treated like report-only ones: nothing goes through without a reason
        reasonRequired = reject || tool.map(Tool::approvalNeedsReason).orElse(true);
        promptKey = key(p);
        promptReturn = from;
        buffer.setLength(0);
        String what = line(p.tool()) + " from " + line(p.bottle());
        if (reject) {
            promptLabel = "Reject " + what + ". Reason (required, the agent sees it): ";
        } else if (reasonRequired) {
            promptLabel = "Approve " + what + ". Reason (required for " + line(p.tool()) + "): ";
        } else {
            promptLabel = "Approve " + what + "? Reason (optional), Enter approves: ";
        }
        mode = Mode.PROMPT;
        status = "";
    }

    private Optional<PendingProposal> find(String key) {
        int i = indexOf(key);
        return i < 0 ? Optional.empty() : Optional.of(items.get(i));
    }

    private Effect prompt(Key k) {
        switch (k.type()) {
            case ESC, CTRL_C -> {
                mode = promptReturn;
                info((promptReject ? "reject" : "approve") + " cancelled");
            }
            case BACKSPACE -> {
                if (buffer.length() > 0) {
                    buffer.setLength(buffer.offsetByCodePoints(buffer.length(), -1));
                }
            }
            case ENTER -> submitPrompt();
            case CHAR -> {
                // Only printable text reaches the reason: it is recorded in the audit log and shown again.
                if (!Character.isISOControl(k.ch()) && buffer.length() < MAX_REASON) {
                    buffer.appendCodePoint(k.ch());
                }
            }
            default -> {
            }
        }
        return NONE;
    }

    private void submitPrompt() {
        String reason = buffer.toString().strip();
        if (reason.isEmpty() && reasonRequired) {
            error(promptReject ? "rejecting needs a reason" : "this approval needs a reason");
            return;
        }
        Decision.Status s = promptReject ? Decision.Status.REJECTED : Decision.Status.APPROVED;
        decide(new Decision(promptKey, s, "", reason, approver, CHANNEL));
    }

    private void decide(Decision d) {
        mode = Mode.LIST;
        try {
            info(backend.decide(d));
        } catch (RuntimeException e) {
            error("not decided: " + e.getMessage());
        }
        refresh();
    }

    private Effect modify() {
        Optional<PendingProposal> sel = mode == Mode.DETAIL ? find(detailKey) : selected();
        if (sel.isEmpty()) {
            return NONE;
        }
        PendingProposal p = sel.get();
        Optional<Tool> tool = Tool.byWireName(p.tool());
        if (tool.isEmpty() || !tool.get().modifiable()) {
            error("modify is unavailable for " + line(p.tool()) + ": approve with a reason (a) or reject (r)");
            return NONE;
        }
        Optional<String> payload;
        try {
            payload = backend.payload(key(p));
        } catch (RuntimeException e) {
            error(e.getMessage());
            return NONE;
        }
        if (payload.isEmpty()) {
            error("modify: the supervise inbox does not provide the proposed file");
            return NONE;
        }
        return new Edit(key(p), p.tool(), payload.get(), tool.get().editorSuffix());
    }

    /** The editor returned {@code text} for the proposal in {@code e}. */
    public void edited(Edit e, String text) {
        if (text.equals(e.payload())) {
            mode = Mode.LIST;
            info("modify aborted (no change)");
            return;
        }
        decide(new Decision(e.key(), Decision.Status.MODIFIED, text, "operator modified before approving",
                approver, CHANNEL));
    }

    /** The editor failed or was aborted. */
    public void editFailed(Edit e, IOException failure) {
        mode = Mode.LIST;
        error("modify aborted: " + failure.getMessage());
    }

    private void info(String s) {
        status = line(s);
        statusError = false;
    }

    private void error(String s) {
        status = line(s);
        statusError = true;
    }

    // ---- rendering ----

    /** The whole screen as {@code rows} lines, none longer than {@code cols} code points. */
    public List<Line> render(int cols, int rows) {
        cols = Math.max(20, cols);
        rows = Math.max(6, rows);
        bodyRows = rows - 4;
        List<Line> out = new ArrayList<>(rows);
        out.add(new Line(clip("bot-bottle supervise   " + items.size() + " pending   operator " + line(approver)
                + "   (channel " + CHANNEL + ")", cols), Style.HEADER));
        if (mode == Mode.LIST || (mode == Mode.PROMPT && promptReturn == Mode.LIST)) {
            renderList(out, cols);
        } else {
            renderDetail(out, cols);
        }
        while (out.size() < rows - 2) {
            out.add(new Line("", Style.NORMAL));
        }
        out.add(new Line(clip(status, cols), statusError ? Style.ERROR : Style.STATUS));
        if (mode == Mode.PROMPT) {
            out.add(new Line(tail(promptLabel + line(buffer.toString()) + "_", cols), Style.PROMPT));
        } else if (mode == Mode.DETAIL) {
            out.add(new Line(clip("up/down scroll  a approve  m modify  r reject  Esc back  q quit", cols),
                    Style.HELP));
        } else {
            out.add(new Line(clip("up/down select  Enter details  a approve  m modify  r reject  q quit", cols),
                    Style.HELP));
        }
        return out;
    }

    private void renderList(List<Line> out, int cols) {
        out.add(new Line(clip(String.format("  %-18s %-16s %-6s %s", "TOOL", "BOTTLE", "AGE", "SUMMARY"), cols),
                Style.COLUMNS));
        if (items.isEmpty()) {
            out.add(new Line(clip("  no pending proposals; new ones appear here as they arrive", cols),
                    Style.NORMAL));
            return;
        }
        if (selected < listTop) {
            listTop = selected;
        }
        if (selected >= listTop + bodyRows) {
            listTop = selected - bodyRows + 1;
        }
        listTop = Math.max(0, Math.min(listTop, Math.max(0, items.size() - bodyRows)));
        for (int i = listTop; i < items.size() && i < listTop + bodyRows; i++) {
            PendingProposal p = items.get(i);
            String age = Shell.age(Duration.between(p.arrived(), clock.instant()));
            String text = String.format("%s %-18s %-16s %-6s %s", i == selected ? ">" : " ", line(p.tool()),
                    line(p.bottle()), age, line(p.summary()));
            out.add(new Line(clip(text, cols), i == selected ? Style.SELECTED : Style.NORMAL));
        }
    }

    private void renderDetail(List<Line> out, int cols) {
        out.add(new Line(clip("proposal " + line(detailKey), cols), Style.COLUMNS));
        List<String> wrapped = new ArrayList<>();
        for (String l : detail) {
            wrap(line(l.replace("\t", "    ")), cols, wrapped);
        }
        detailTop = Math.max(0, Math.min(detailTop, Math.max(0, wrapped.size() - bodyRows)));
        for (int i = detailTop; i < wrapped.size() && i < detailTop + bodyRows; i++) {
            out.add(new Line(wrapped.get(i), Style.NORMAL));
        }
    }

    /** Single-line, terminal-safe text (the inbox already sanitises; a second pass costs nothing). */
    static String line(String s) {
        return Sanitizer.line(s);
    }

    static String clip(String s, int cols) {
        int n = s.codePointCount(0, s.length());
        return n <= cols ? s : s.substring(0, s.offsetByCodePoints(0, cols));
    }

    /** The end of the text, so the prompt's cursor stays visible while typing a long reason. */
    static String tail(String s, int cols) {
        int n = s.codePointCount(0, s.length());
        return n <= cols ? s : s.substring(s.offsetByCodePoints(0, n - cols));
    }

    private static void wrap(String s, int cols, List<String> out) {
        if (s.isEmpty()) {
            out.add("");
            return;
        }
        int i = 0;
        while (i < s.length()) {
            int n = s.codePointCount(i, s.length());
            int end = n <= cols ? s.length() : s.offsetByCodePoints(i, cols);
            out.add(s.substring(i, end));
            i = end;
        }
    }
}
