package bot.bottle.supervise.queue;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * One bottle's supervise queue directory.
 *
 * <pre>
 * queue/
 *   &lt;id&gt;.proposal.json   written by the producer (MCP server, git gate, egress proxy)
 *   &lt;id&gt;.claim           created exclusively by whoever decides first (operator or producer timeout)
 *   &lt;id&gt;.response.json   written by the channel that won the claim
 *   processed/           pairs the producer archived after reading the response
 * </pre>
 *
 * <p>Every reader survives any file content: a malformed file becomes a {@link Problem}, never an
 * exception, so one bad file cannot hide the others from an operator.
 */
public final class QueueDir {

    /** Queue files are small; a bigger one is refused as malformed, never read whole. */
    public static final int MAX_FILE_BYTES = 1 << 20;
    static final String PROPOSAL_SUFFIX = ".proposal.json";
    static final String RESPONSE_SUFFIX = ".response.json";
    static final String CLAIM_SUFFIX = ".claim";

    private final Path dir;

    public QueueDir(Path dir) {
        this.dir = dir.toAbsolutePath().normalize();
    }

    public Path dir() {
        return dir;
    }

    public Path processedDir() {
        return dir.resolve("processed");
    }

    Path proposalPath(String id) {
        return dir.resolve(checkId(id) + PROPOSAL_SUFFIX);
    }

    Path responsePath(String id) {
        return dir.resolve(checkId(id) + RESPONSE_SUFFIX);
    }

    Path claimPath(String id) {
        return dir.resolve(checkId(id) + CLAIM_SUFFIX);
    }

    /** A file the reader could not use, with the reason (never the file's content). */
    public record Problem(Path file, String reason) {
    }

    /** A pending proposal and whether a decision has been written but not yet collected. */
    public record Pending(Proposal proposal, boolean decided) {
    }

    /** What a scan of the directory found. */
    public record Scan(List<Pending> pending, List<Problem> problems) {
    }

    /** Writes a new proposal atomically. */
    public void write(Proposal p) throws IOException {
        AtomicFiles.writeString(proposalPath(p.id()), Json.pretty(p.toJson()));
    }

    /** Lists proposals (oldest first) and the files that could not be read. */
    public Scan scan() {
        List<Pending> pending = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return new Scan(List.of(), List.of());
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*" + PROPOSAL_SUFFIX)) {
            for (Path f : ds) {
                String name = f.getFileName().toString();
                if (name.startsWith(".")) {
                    continue; // temp files of an atomic write in progress
                }
                String stem = name.substring(0, name.length() - PROPOSAL_SUFFIX.length());
                try {
                    if (!Proposal.ID.matcher(stem).matches()) {
                        throw new IOException("file name is not a valid proposal id");
                    }
                    if (!Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        throw new IOException("not a regular file");
                    }
                    Proposal p = Proposal.parse(AtomicFiles.readLimited(f, MAX_FILE_BYTES));
                    if (!p.id().equals(stem)) {
                        throw new IOException("field 'id' does not match the file name");
                    }
                    pending.add(new Pending(p, Files.exists(responsePath(stem))));
                } catch (NoSuchFileException e) {
                    // archived between listing and reading: not a problem
                } catch (IOException | RuntimeException e) {
                    problems.add(new Problem(f, oneLine(e)));
                }
            }
        } catch (IOException e) {
            problems.add(new Problem(dir, "cannot list: " + oneLine(e)));
        }
        pending.sort(Comparator.comparing((Pending x) -> x.proposal().arrival())
                .thenComparing(x -> x.proposal().id()));
        return new Scan(List.copyOf(pending), List.copyOf(problems));
    }

    /** Reads one proposal by id; empty when absent, {@link IOException} when malformed. */
    public Optional<Proposal> read(String id) throws IOException {
        Path f = proposalPath(id);
        try {
            Proposal p = Proposal.parse(AtomicFiles.readLimited(f, MAX_FILE_BYTES));
            if (!p.id().equals(id)) {
                throw new IOException(f.getFileName() + ": field 'id' does not match the file name");
            }
            return Optional.of(p);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /** The state of a response file. */
    public sealed interface ResponseState permits None, Answered, Malformed {
    }

    /** No response yet. */
    public record None() implements ResponseState {
    }

    /** A well-formed response. */
    public record Answered(Response response) implements ResponseState {
    }

    /** A response file that cannot be trusted; the producer must treat it as a rejection. */
    public record Malformed(String reason) implements ResponseState {
    }

    /** Reads the response for a proposal without ever throwing for its content. */
    public ResponseState readResponse(String id) {
        Path f = responsePath(id);
        try {
            return new Answered(Response.parse(AtomicFiles.readLimited(f, MAX_FILE_BYTES), id));
        } catch (NoSuchFileException e) {
            return new None();
        } catch (IOException | RuntimeException e) {
            return new Malformed(oneLine(e));
        }
    }

    /**
     * Claims the right to decide a proposal. Exactly one of the operator (approve/reject) and the
     * waiting producer (withdraw on timeout) wins, so a late approval never applies a change the agent
     * was told had timed out.
     *
     * @param who recorded in the claim file, for diagnosis
     * @return false when someone else decided or withdrew first
     */
    public boolean claim(String id, String who) throws IOException {
        return AtomicFiles.createExclusive(claimPath(id), who + "\n");
    }

    /** Gives up a claim after a failed apply, so the proposal can be decided again. */
    public void releaseClaim(String id) throws IOException {
        Files.deleteIfExists(claimPath(id));
        AtomicFiles.fsyncDirectory(dir);
    }

    /** Whether the proposal was claimed by someone. */
    public boolean claimed(String id) {
        return Files.exists(claimPath(id));
    }

    /** Writes the response atomically. The caller must hold the claim. */
    public void writeResponse(Response r) throws IOException {
        AtomicFiles.writeString(responsePath(r.proposalId()), Json.pretty(r.toJson()));
    }

    /**
     * Moves the proposal and its response into {@code processed/} and drops the claim. Only the
     * producer calls this, after it has read the response (see {@link Tool}).
     */
    public void archive(String id) throws IOException {
        Path processed = processedDir();
        for (Path f : List.of(proposalPath(id), responsePath(id))) {
            if (Files.exists(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                AtomicFiles.move(f, processed.resolve(f.getFileName()));
            }
        }
        Files.deleteIfExists(claimPath(id));
    }

    private static String checkId(String id) {
        if (!Proposal.ID.matcher(id).matches()) {
            throw new IllegalArgumentException("bad proposal id " + id);
        }
        return id;
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            m = e.getClass().getSimpleName();
        }
        // Jackson appends source locations on following lines; one line is enough for an operator.
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
