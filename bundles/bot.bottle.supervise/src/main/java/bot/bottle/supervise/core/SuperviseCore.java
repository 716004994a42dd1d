package bot.bottle.supervise.core;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import bot.bottle.api.approval.Decision;
import bot.bottle.api.approval.PendingProposal;
import bot.bottle.supervise.audit.AuditKey;
import bot.bottle.supervise.queue.Proposal;
import bot.bottle.supervise.queue.QueueDir;
import bot.bottle.supervise.queue.Response;
import bot.bottle.supervise.queue.Tool;
import bot.bottle.supervise.text.HostPolicy;
import bot.bottle.supervise.text.Sanitizer;
import bot.bottle.supervise.text.UnifiedDiff;

/**
 * The operator side of supervise, shared by every channel (Gogo commands, TUI, SSH): list, describe and
 * decide proposals across bottles. Plain Java; the commands and the {@code ApprovalInbox} service are
 * thin layers over it.
 *
 * <p>Deciding is: check the decision is allowed (a reason where one is required, no modify of report-only
 * kinds), load the audit key (so nothing is approved that cannot be audited), claim the proposal (first
 * decider wins, and a producer that timed out has withdrawn it), apply, write the response, append a
 * signed audit entry. A failed apply releases the claim and leaves the proposal pending.
 */
public final class SuperviseCore {

    private final Supplier<List<BottleState>> bottles;
    private final Applier applier;
    private final AuditKeySource auditKey;

    /** Supplies the host audit key (loaded or created lazily). */
    @FunctionalInterface
    public interface AuditKeySource {
        AuditKey get() throws IOException;
    }

    public SuperviseCore(Supplier<List<BottleState>> bottles, Applier applier, AuditKeySource auditKey) {
        this.bottles = bottles;
        this.applier = applier;
        this.auditKey = auditKey;
    }

    public Applier applier() {
        return applier;
    }

    /** A proposal found in a bottle's queue. */
    public record Item(BottleState state, Proposal proposal, boolean decided) {
    }

    /** A queue file that could not be read. */
    public record Problem(String bottle, String file, String reason) {
    }

    /** Everything in every queue. */
    public record Listing(List<Item> items, List<Problem> problems) {
    }

    public Listing list() {
        List<Item> items = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        for (BottleState b : bottles.get()) {
            QueueDir.Scan scan = b.queue().scan();
            for (QueueDir.Pending p : scan.pending()) {
                items.add(new Item(b, p.proposal(), p.decided()));
            }
            for (QueueDir.Problem p : scan.problems()) {
                problems.add(new Problem(b.slug(), p.file().getFileName().toString(), Sanitizer.line(p.reason())));
            }
        }
        items.sort((a, b) -> a.proposal().arrival().compareTo(b.proposal().arrival()));
        return new Listing(items, problems);
    }

    /** Undecided proposals as channels show them. */
    public List<PendingProposal> pending() {
        List<PendingProposal> out = new ArrayList<>();
        for (Item i : list().items()) {
            if (!i.decided()) {
                out.add(new PendingProposal(i.proposal().id(), i.state().slug(), i.proposal().tool().wireName(),
                        summary(i.proposal()), i.proposal().arrival()));
            }
        }
        return out;
    }

    /** One line: the justification, sanitised and cut. */
    public static String summary(Proposal p) {
        String s = Sanitizer.line(p.justification().strip());
        return s.length() > 100 ? s.substring(0, 97) + "..." : s;
    }

    /**
     * Finds a pending proposal by id or unique id prefix, optionally qualified by its bottle as
     * {@code <slug>/<id>}. Ids are chosen by producers in the sidecars, so two bottles can hold the same
     * id (by accident or on purpose): an id that matches in more than one bottle is refused unless
     * qualified, so an operator never decides another bottle's proposal than the one shown.
     */
    public Item find(String idOrPrefix) {
        if (idOrPrefix == null || idOrPrefix.isBlank()) {
            throw new IllegalArgumentException("no proposal id given");
        }
        String bottle = null;
        String id = idOrPrefix;
        int slash = idOrPrefix.indexOf('/');
        if (slash >= 0) {
            bottle = idOrPrefix.substring(0, slash);
            id = idOrPrefix.substring(slash + 1);
        }
        List<Item> exact = new ArrayList<>();
        List<Item> matches = new ArrayList<>();
        for (Item i : list().items()) {
            if (bottle != null && !i.state().slug().equals(bottle)) {
                continue;
            }
            if (i.proposal().id().equals(id)) {
                exact.add(i);
            } else if (!id.isEmpty() && i.proposal().id().startsWith(id)) {
                matches.add(i);
            }
        }
        if (exact.size() == 1) {
            return exact.get(0);
        }
        matches.addAll(exact);
        if (matches.isEmpty()) {
            throw new IllegalArgumentException("no pending proposal " + Sanitizer.line(idOrPrefix));
        }
        if (matches.size() > 1) {
            List<String> where = new ArrayList<>();
            for (Item i : matches) {
                if (!where.contains(i.state().slug())) {
                    where.add(i.state().slug());
                }
            }
            throw new IllegalArgumentException("proposal id " + Sanitizer.line(idOrPrefix) + " matches "
                    + matches.size() + " proposals (bottles " + String.join(", ", where)
                    + "); give more of the id, or <bottle>/<id>");
        }
        return matches.get(0);
    }

    /** The file a proposal replaces, "" for report-only kinds. */
    public String currentFile(Item i) throws IOException {
        Tool t = i.proposal().tool();
        if (t.changesRoutes()) {
            return i.state().currentRoutes();
        }
        if (t == Tool.CAPABILITY_BLOCK) {
            return i.state().currentDockerfile();
        }
        return "";
    }

    /** The detail view: metadata, justification and the diff (or report), all sanitised. */
    public String describe(String idOrPrefix) {
        Item i = find(idOrPrefix);
        Proposal p = i.proposal();
        StringBuilder out = new StringBuilder();
        out.append("proposal  ").append(p.id()).append('\n');
        out.append("bottle    ").append(i.state().slug()).append('\n');
        if (!p.bottleSlug().equals(i.state().slug())) {
            // The queue a file sits in says which bottle it came from and which bottle it changes;
            // the slug inside the file is the producer's claim.
            out.append("WARNING: the file names bottle ").append(Sanitizer.line(p.bottleSlug()))
                    .append(" but sits in the queue of bottle ").append(i.state().slug()).append('\n');
        }
        out.append("tool      ").append(p.tool().wireName()).append('\n');
        out.append("arrived   ").append(p.arrival()).append('\n');
        out.append("state     ").append(i.decided() ? "decided, waiting for " + p.tool().producer() + " to collect"
                : "pending").append('\n');
        out.append("justification:\n").append(indent(Sanitizer.text(p.justification()))).append('\n');
        try {
            if (p.tool().changesRoutes() || p.tool() == Tool.CAPABILITY_BLOCK) {
                String current = currentFile(i);
                String name = p.tool().changesRoutes() ? "egress/routes.yaml" : "Dockerfile";
                if (!p.currentFileHash().isEmpty() && !p.currentFileHash().equals(Proposal.sha256Hex(current))) {
                    out.append("WARNING: ").append(name).append(" changed since this proposal was made;"
                            + " approving it is refused\n");
                }
                String diff = UnifiedDiff.diff(current, p.proposedFile(), "current/" + name, "proposed/" + name);
                out.append("diff:\n").append(diff.isEmpty() ? "  (no change)\n" : Sanitizer.text(diff));
                if (p.tool().changesRoutes()) {
                    out.append(routesNotes(current, p.proposedFile()));
                }
            } else {
                out.append("report (").append(p.tool().producer()).append("; approval needs a reason,"
                        + " modify is unavailable):\n").append(indent(Sanitizer.text(p.proposedFile()))).append('\n');
            }
        } catch (IOException e) {
            out.append("cannot read the current file: ").append(Sanitizer.line(e.getMessage())).append('\n');
        }
        return out.toString();
    }

    private String routesNotes(String current, String proposed) {
        StringBuilder out = new StringBuilder();
        try {
            List<String> before = current.isBlank() ? List.of() : safeHosts(current);
            List<String> after = applier.validateRoutes(proposed);
            for (String h : after) {
                if (!before.contains(h)) {
                    out.append("adds host ").append(HostPolicy.display(h));
                    HostPolicy.denyReason(h).ifPresent(r -> out.append("  DENIED: ").append(r));
                    out.append('\n');
                }
            }
            for (String h : before) {
                if (!after.contains(h)) {
                    out.append("removes host ").append(HostPolicy.display(h)).append('\n');
                }
            }
        } catch (IllegalArgumentException e) {
            out.append("INVALID: ").append(Sanitizer.line(e.getMessage())).append('\n');
        }
        return out.toString();
    }

    private List<String> safeHosts(String yaml) {
        try {
            return applier.validateRoutes(yaml);
        } catch (IllegalArgumentException e) {
            return List.of();
        }
    }

    /**
     * Decides a proposal; see the class comment for the steps.
     *
     * @return one line saying what happened
     */
    public String decide(Decision d) {
        Item item = find(d.proposalId());
        Proposal p = item.proposal();
        Tool tool = p.tool();
        if (item.decided()) {
            throw new IllegalStateException("proposal " + p.id() + " was already decided");
        }
        String notes = d.notes() == null ? "" : d.notes().strip();
        String finalFile;
        Response.Status status;
        switch (d.status()) {
            case REJECTED -> {
                if (notes.isEmpty()) {
                    throw new IllegalArgumentException("rejecting needs a reason (--reason)");
                }
                status = Response.Status.REJECTED;
                finalFile = "";
            }
            case MODIFIED -> {
                if (!tool.modifiable()) {
                    throw new IllegalArgumentException("modify is unavailable for " + tool.wireName());
                }
                finalFile = d.finalFile() == null ? "" : d.finalFile();
                if (finalFile.isBlank()) {
                    throw new IllegalArgumentException("the modified file is empty");
                }
                if (finalFile.equals(p.proposedFile())) {
                    status = Response.Status.APPROVED; // nothing was changed: it is a plain approval
                } else {
                    status = Response.Status.MODIFIED;
                }
                if (tool.changesRoutes()) {
                    applier.validateRoutes(finalFile);
                }
            }
            default -> {
                if (tool.approvalNeedsReason() && notes.isEmpty()) {
                    throw new IllegalArgumentException(tool.wireName()
                            + " approval needs a reason (--reason: test fixture, false positive, ...)");
                }
                status = Response.Status.APPROVED;
                finalFile = p.proposedFile();
            }
        }
        String approver = d.approver() == null || d.approver().isBlank() ? localApprover() : d.approver();
        String channel = d.channel() == null || d.channel().isBlank() ? "shell" : d.channel();
        AuditKey key;
        try {
            key = auditKey.get();
        } catch (IOException e) {
            throw new IllegalStateException("cannot sign the audit entry, nothing decided: " + e.getMessage());
        }
        QueueDir q = item.state().queue();
        try {
            if (!q.claim(p.id(), approver + " via " + channel)) {
                throw new IllegalStateException("proposal " + p.id()
                        + " was already decided, or withdrawn by " + tool.producer() + " after a timeout");
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot claim proposal " + p.id() + ": " + e.getMessage());
        }
        Applier.Applied applied;
        try {
            applied = status.allows() ? applier.apply(item.state(), p, finalFile) : new Applier.Applied("", "", null);
            q.writeResponse(Response.of(p.id(), status, status == Response.Status.REJECTED ? "" : finalFile, notes,
                    approver, channel));
        } catch (IOException | RuntimeException e) {
            try {
                q.releaseClaim(p.id());
            } catch (IOException ignored) {
                // the claim file stays; the producer times out and withdraws, which fails closed
            }
            if (e instanceof IllegalArgumentException iae) {
                throw iae;
            }
            throw new IllegalStateException("not approved: " + e.getMessage());
        }
        Map<String, String> entry = new LinkedHashMap<>();
        entry.put("bottle", item.state().slug());
        if (!p.bottleSlug().equals(item.state().slug())) {
            entry.put("claimed_bottle", p.bottleSlug());
        }
        entry.put("proposal_id", p.id());
        entry.put("tool", tool.wireName());
        entry.put("channel", channel);
        entry.put("approver", approver);
        entry.put("action", status.wireName());
        entry.put("justification", p.justification());
        entry.put("notes", notes);
        entry.put("proposal_arrived", p.arrival().toString());
        if (tool.changesRoutes() || tool == Tool.CAPABILITY_BLOCK) {
            entry.put("diff_before", applied.before());
            entry.put("diff_after", applied.after());
        } else {
            // Report payloads describe flagged values: record which report was decided, not its text.
            entry.put("payload_sha256", Proposal.sha256Hex(p.proposedFile()));
        }
        try {
            item.state().audit().append(entry, key);
        } catch (IOException e) {
            throw new IllegalStateException(status.wireName() + " " + p.id()
                    + " but the audit entry could not be written: " + e.getMessage());
        }
        return status.wireName() + " " + tool.wireName() + " " + p.id() + " for bottle " + item.state().slug()
                + effect(tool, status);
    }

    private static String effect(Tool tool, Response.Status status) {
        if (!status.allows()) {
            return "";
        }
        if (tool.changesRoutes()) {
            return ": egress/routes.yaml updated, the proxy reloads it";
        }
        if (tool == Tool.CAPABILITY_BLOCK) {
            return ": stored as next/Dockerfile, applied on the next resume (bot-bottle resume <slug>)";
        }
        return ": " + tool.producer() + " proceeds";
    }

    /** The local operator's identity for the audit log. */
    public static String localApprover() {
        return "local:" + System.getProperty("user.name", "unknown");
    }

    private static String indent(String s) {
        return "  " + s.strip().replace("\n", "\n  ");
    }

    /** The editable payload for {@code modify}. */
    public Optional<String> editable(Item i) {
        return i.proposal().tool().modifiable() ? Optional.of(i.proposal().proposedFile()) : Optional.empty();
    }
}
