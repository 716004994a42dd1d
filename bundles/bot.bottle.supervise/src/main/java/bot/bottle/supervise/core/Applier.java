package bot.bottle.supervise.core;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import bot.bottle.api.approval.ApplyListener;
import bot.bottle.api.egress.RoutesValidator;
import bot.bottle.supervise.queue.AtomicFiles;
import bot.bottle.supervise.queue.Proposal;
import bot.bottle.supervise.queue.Tool;
import bot.bottle.supervise.text.HostPolicy;
import bot.bottle.supervise.text.Sanitizer;

/**
 * Applies an approved proposal to the bottle's state directory.
 *
 * <ul>
 *   <li>{@code allow} / {@code egress-block}: the final routes file is validated with the egress parser
 *       (no validator bound: refused), every host it adds is checked against {@link HostPolicy} (denied
 *       even when approved), and it replaces {@code egress/routes.yaml} atomically; the proxy polls the
 *       file and reloads, {@link ApplyListener}s may nudge it sooner.
 *   <li>{@code capability-block}: the Dockerfile is stored as {@code next/Dockerfile}, used by the next
 *       start/resume.
 *   <li>report-only kinds change nothing here; the waiting producer acts on the response.
 * </ul>
 *
 * A proposal replaces a whole file, so it is applied only if the file is still the one the proposal was
 * made against (its {@code current_file_hash}); otherwise another change would be silently undone.
 */
public final class Applier {

    private static final Logger LOG = Logger.getLogger(Applier.class.getName());

    private final Supplier<RoutesValidator> validator;
    private final Supplier<List<ApplyListener>> listeners;

    public Applier(Supplier<RoutesValidator> validator, Supplier<List<ApplyListener>> listeners) {
        this.validator = validator;
        this.listeners = listeners;
    }

    /** What changed: the file's text before and after, and the file (null for report-only kinds). */
    public record Applied(String before, String after, Path file) {
    }

    /**
     * Validates a routes file with the bound egress parser.
     *
     * @return the canonical hosts it names
     * @throws IllegalArgumentException when invalid, or when no validator is bound (fail closed)
     */
    public List<String> validateRoutes(String yaml) {
        RoutesValidator v = validator.get();
        if (v == null) {
            throw new IllegalArgumentException(
                    "no routes validator is available (bot.bottle.egress not running); refusing routes change");
        }
        List<String> hosts;
        try {
            hosts = v.validate(yaml);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("routes.yaml is not valid: " + Sanitizer.line(e.getMessage()));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("routes validator failed: " + e.getClass().getSimpleName());
        }
        List<String> out = new ArrayList<>();
        for (String h : hosts) {
            out.add(HostPolicy.canonical(h));
        }
        return out;
    }

    /** The first host {@code proposed} adds to {@code current} that may never be added, with the reason. */
    public Optional<String> deniedAddition(String currentYaml, String proposedYaml) {
        Set<String> old = new HashSet<>();
        if (!currentYaml.isBlank()) {
            try {
                old.addAll(validateRoutes(currentYaml));
            } catch (IllegalArgumentException e) {
                // an unreadable live file vouches for nothing: judge every proposed host
            }
        }
        for (String h : validateRoutes(proposedYaml)) {
            if (!old.contains(h)) {
                Optional<String> why = HostPolicy.denyReason(h);
                if (why.isPresent()) {
                    return Optional.of("host " + HostPolicy.display(h) + " is never allowed through supervise: "
                            + why.get());
                }
            }
        }
        return Optional.empty();
    }

    /** Applies the final file of an approved proposal. */
    public Applied apply(BottleState state, Proposal p, String finalFile) throws IOException {
        Tool tool = p.tool();
        if (tool.changesRoutes()) {
            return applyRoutes(state, p, finalFile);
        }
        if (tool == Tool.CAPABILITY_BLOCK) {
            return withLock(state.dir().resolve("next"), () -> {
                String before = state.currentDockerfile();
                checkUnchanged(p, before, "the bottle's Dockerfile");
                if (finalFile.isBlank()) {
                    throw new IllegalArgumentException("the Dockerfile is empty");
                }
                AtomicFiles.writeString(state.nextDockerfile(), finalFile);
                notifyListeners(state, tool, state.nextDockerfile());
                return new Applied(before, finalFile, state.nextDockerfile());
            });
        }
        return new Applied("", "", null);
    }

    private Applied applyRoutes(BottleState state, Proposal p, String finalFile) throws IOException {
        return withLock(state.routesFile().getParent(), () -> {
            String before = state.currentRoutes();
            checkUnchanged(p, before, "egress/routes.yaml");
            validateRoutes(finalFile);
            Optional<String> denied = deniedAddition(before, finalFile);
            if (denied.isPresent()) {
                throw new IllegalArgumentException(denied.get());
            }
            AtomicFiles.writeString(state.routesFile(), finalFile);
            notifyListeners(state, p.tool(), state.routesFile());
            return new Applied(before, finalFile, state.routesFile());
        });
    }

    private static void checkUnchanged(Proposal p, String current, String what) {
        if (!p.currentFileHash().isEmpty() && !p.currentFileHash().equals(Proposal.sha256Hex(current))) {
            throw new IllegalStateException(what + " of bottle " + p.bottleSlug()
                    + " changed since proposal " + p.id() + " was made; reject it and let the agent propose again");
        }
    }

    private void notifyListeners(BottleState state, Tool tool, Path file) {
        for (ApplyListener l : listeners.get()) {
            try {
                l.applied(state.slug(), tool.wireName(), file);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "apply listener " + l.getClass().getName() + " failed; the proxy's poll"
                        + " still picks the change up: " + e);
            }
        }
    }

    private interface Body {
        Applied run() throws IOException;
    }

    private static final Object JVM_LOCK = new Object();

    /** One writer per bottle file at a time, across processes (file lock) and threads (monitor). */
    private static Applied withLock(Path dir, Body body) throws IOException {
        AtomicFiles.createPrivateDirectories(dir);
        synchronized (JVM_LOCK) {
            try (FileChannel ch = FileChannel.open(dir.resolve(".apply.lock"),
                    Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                    FileLock ignored = ch.lock()) {
                return body.run();
            }
        }
    }
}
