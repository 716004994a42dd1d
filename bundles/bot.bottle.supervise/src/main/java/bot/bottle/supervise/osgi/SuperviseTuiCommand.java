package bot.bottle.supervise.osgi;

import java.io.IOException;
import java.time.Clock;
import java.util.Optional;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import bot.bottle.api.approval.ApprovalInbox;
import bot.bottle.supervise.core.CommandFailure;
import bot.bottle.supervise.core.Editor;
import bot.bottle.supervise.core.SuperviseCore;
import bot.bottle.supervise.tui.JLineScreen;
import bot.bottle.supervise.tui.TuiBackend;
import bot.bottle.supervise.tui.TuiModel;

/**
 * {@code bottle:supervise} ({@code bot-bottle supervise}): the full-screen terminal UI. It decides through
 * the {@link ApprovalInbox} service as channel {@code tui}, with the local user as approver.
 */
@Component(service = SuperviseTuiCommand.class, property = {"osgi.command.scope=bottle",
        "osgi.command.function=supervise"})
public final class SuperviseTuiCommand {

    @Reference
    private ApprovalInbox inbox;

    @Descriptor("full-screen terminal UI: pending proposals of every bottle, details, approve/modify/reject")
    public void supervise(CommandSession session) {
        ApprovalInbox in = inbox;
        // modify needs the proposed file, which only this bundle's inbox hands out
        TuiBackend backend = TuiBackend.of(in, id -> in instanceof InboxService s ? s.payload(id) : Optional.empty());
        TuiModel model = new TuiModel(backend, SuperviseCore.localApprover(), Clock.systemUTC());
        try {
            // bot-bottle shell: the shell's terminal; a one-shot run has none and opens the process's
            JLineScreen.run(model, Editor.fromEnvironment(), session.get(".terminal"));
        } catch (IllegalStateException e) {
            throw new CommandFailure(2, e.getMessage());
        } catch (IOException e) {
            throw new CommandFailure(3, "terminal failed: " + e.getMessage());
        } catch (NoClassDefFoundError e) {
            // JLine is imported optionally, so the other supervise commands work without it
            throw new CommandFailure(3, "the terminal UI needs the org.jline bundle (" + e.getMessage()
                    + "); run 'bot-bottle doctor'");
        }
    }
}
