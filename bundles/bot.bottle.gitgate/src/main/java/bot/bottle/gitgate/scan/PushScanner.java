package bot.bottle.gitgate.scan;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.eclipse.jgit.diff.RawText;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.ObjectWalk;
import org.eclipse.jgit.revwalk.RevBlob;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevObject;
import org.eclipse.jgit.revwalk.RevSort;
import org.eclipse.jgit.revwalk.RevTag;
import org.eclipse.jgit.revwalk.RevTree;
import org.eclipse.jgit.treewalk.CanonicalTreeParser;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.treewalk.filter.TreeFilter;
import org.eclipse.jgit.util.RawParseUtils;

import bot.bottle.api.dlp.DlpException;
import bot.bottle.api.dlp.DlpScanner;
import bot.bottle.api.dlp.Finding;
import bot.bottle.api.dlp.KnownSecrets;
import bot.bottle.api.dlp.ScanInput;

/**
 * Scans everything a push would publish, through the shared DLP engine ({@link DlpScanner}).
 *
 * <p>What is new is computed on the gate's side with {@code rev-list --objects} semantics: every object
 * reachable from the pushed tips and not reachable from the upstream's current refs. That covers history
 * the client did not mean to send (a long branch, a first push to an empty upstream, unrelated root
 * commits), blobs reachable only from a tag, notes, and the trees of merges (a merge resolution shows up
 * in no {@code git log -p}). A secret added and deleted inside the range is still a new blob.
 *
 * <p>Scanned: file contents (text; the ASCII and UTF-16 text runs of binary files), every file and
 * directory name of new trees, raw commit objects (author, committer, message, any extra header), raw
 * annotated tags, ref names and push options. Nothing the agent wrote can switch scanning off: the only
 * inline marker looked at is {@code gitleaks:allow}, and it never hides a finding, it turns it into a
 * question for an operator.
 *
 * <p>Not thread-safe; one instance per scan is cheap.
 */
public final class PushScanner {

    /** The inline suppression marker gitleaks uses; findings on such a line go to an operator. */
    public static final String ALLOW_MARK = "gitleaks:allow";
    /** Bytes looked at to tell binary from text (what git itself looks at). */
    private static final int SNIFF = 8000;
    private static final int LINE_SHOWN = 200;

    private final DlpScanner engine;
    private final Set<String> detectors;
    private final KnownSecrets known;
    private final ScanLimits limits;

    private final List<Unit> batch = new ArrayList<>();
    private int batchChars;
    private int nextUnit;
    private final List<PushFinding> found = new ArrayList<>();
    private final Map<ObjectId, List<PushFinding>> blobFindings = new LinkedHashMap<>();
    private final Set<String> matched = new HashSet<>();
    private final Set<String> seenPaths = new HashSet<>();
    /** Text runs overlap (a UTF-16LE run reads as UTF-16BE one byte later): one finding per value per blob. */
    private final Set<String> seenInBinary = new HashSet<>();
    private long bytes;
    private long deadline;

    public PushScanner(DlpScanner engine, Set<String> detectors, KnownSecrets known, ScanLimits limits) {
        this.engine = engine;
        this.detectors = Set.copyOf(detectors);
        this.known = known;
        this.limits = limits;
    }

    /** Where a piece of text came from. */
    private record Source(PushFinding.Where where, String object, String path, String commit) {
    }

    private record Unit(String surface, Source source, String text, int ownEnd, int baseLine) {
    }

    /**
     * Scans the objects reachable from {@code tips} and not from {@code haves}, plus the given ref names
     * and push options.
     *
     * @param tips        new ref values (commits, tags, or any object)
     * @param haves       the upstream's current ref values; those the repository lacks are ignored (which
     *                    can only make the scanned set larger)
     * @param refNames    ref names being created or updated
     * @param pushOptions push options the client sent
     * @throws ScanFailure on any engine error, limit or timeout: the caller must refuse
     */
    public ScanReport scan(Repository repo, Collection<? extends ObjectId> tips, Collection<? extends ObjectId> haves,
            Collection<String> refNames, Collection<String> pushOptions) throws ScanFailure {
        long start = System.nanoTime();
        deadline = start + limits.timeout().toNanos();
        int commitCount = 0;
        int objectCount = 0;
        List<RevCommit> commits = new ArrayList<>();
        try (ObjectWalk ow = new ObjectWalk(repo)) {
            ow.sort(RevSort.TOPO);
            ow.setRetainBody(true);
            for (ObjectId tip : tips) {
                ow.markStart(ow.parseAny(tip));
            }
            for (ObjectId have : haves) {
                if (have == null || ObjectId.zeroId().equals(have)) {
                    continue;
                }
                RevObject o;
                try {
                    o = ow.parseAny(have);
                } catch (MissingObjectException e) {
                    continue; // not here: cannot be excluded, so its history (if pushed) is scanned
                }
                ow.markUninteresting(o);
            }
            RevCommit c;
            while ((c = ow.next()) != null) {
                checkTime();
                commitCount++;
                objectCount++;
                commits.add(c);
                ow.parseBody(c);
                byte[] raw = c.getRawBuffer();
                take(raw.length);
                textUnit(new Source(PushFinding.Where.COMMIT, c.name(), "", c.name()), RawParseUtils.decode(raw));
            }
            ObjectReader reader = ow.getObjectReader();
            Segmenter paths = new Segmenter(limits.segmentChars(), limits.overlapChars(),
                    (t, own, line) -> add(new Source(PushFinding.Where.PATH, "", "", ""), t, own, line));
            RevObject o;
            while ((o = ow.nextObject()) != null) {
                checkTime();
                objectCount++;
                String where = ow.getPathString() == null ? "" : ow.getPathString();
                if (o instanceof RevBlob blob) {
                    scanBlob(reader, blob, where);
                } else if (o instanceof RevTree tree) {
                    scanTreeNames(reader, tree, where, paths);
                } else if (o instanceof RevTag tag) {
                    ow.parseBody(tag);
                    byte[] raw = tag.getRawBuffer();
                    take(raw.length);
                    textUnit(new Source(PushFinding.Where.TAG, tag.name(), tag.getTagName(), ""),
                            RawParseUtils.decode(raw));
                }
            }
            paths.finish();
            if (!refNames.isEmpty()) {
                textUnit(new Source(PushFinding.Where.REF, "", "", ""), String.join("\n", refNames));
            }
            if (!pushOptions.isEmpty()) {
                textUnit(new Source(PushFinding.Where.PUSH_OPTION, "", "", ""), String.join("\n", pushOptions));
            }
            flush();
            attribute(ow, commits);
        } catch (IOException e) {
            ScanFailure limit = unwrap(e);
            throw limit != null ? limit : new ScanFailure("cannot read the pushed objects: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new ScanFailure("scan failed: " + e, e);
        }
        for (List<PushFinding> l : blobFindings.values()) {
            found.addAll(l);
        }
        Redactor r = Redactor.of(matched);
        matched.clear();
        List<PushFinding> out = new ArrayList<>(found.size());
        for (PushFinding f : found) {
            out.add(f.redacted(r));
        }
        return new ScanReport(out, commitCount, objectCount, bytes, Duration.ofNanos(System.nanoTime() - start));
    }

    private void scanBlob(ObjectReader reader, RevBlob blob, String path) throws IOException, ScanFailure {
        ObjectLoader loader = reader.open(blob, Constants.OBJ_BLOB);
        try (InputStream raw = loader.openStream(); BufferedInputStream in = new BufferedInputStream(raw, SNIFF)) {
            in.mark(SNIFF);
            byte[] head = in.readNBytes(SNIFF);
            boolean binary = RawText.isBinary(head, head.length, head.length < SNIFF);
            in.reset();
            if (binary) {
                Source src = new Source(PushFinding.Where.BINARY, blob.name(), path, "");
                Segmenter seg = new Segmenter(limits.segmentChars(), limits.overlapChars(),
                        (t, own, line) -> add(src, t, own, 0));
                BinaryRuns runs = new BinaryRuns(run -> {
                    seg.append(run);
                    seg.append("\n");
                });
                runs.process(in, this::take);
                seg.finish();
            } else {
                Source src = new Source(PushFinding.Where.FILE, blob.name(), path, "");
                Segmenter seg = new Segmenter(limits.segmentChars(), limits.overlapChars(),
                        (t, own, line) -> add(src, t, own, line));
                // Malformed UTF-8 becomes U+FFFD; secrets are ASCII and survive. Byte count is charged as read.
                CountingStream counted = new CountingStream(in);
                Reader r = new InputStreamReader(counted, StandardCharsets.UTF_8);
                char[] buf = new char[64 << 10];
                int n;
                while ((n = r.read(buf)) > 0) {
                    seg.append(buf, 0, n);
                    checkTime();
                }
                seg.finish();
            }
        }
    }

    /** Counts bytes read from a blob against the scan's budget. */
    private final class CountingStream extends java.io.FilterInputStream {
        CountingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                charge(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                charge(n);
            }
            return n;
        }

        private void charge(long n) throws IOException {
            try {
                take(n);
            } catch (ScanFailure e) {
                throw new LimitIOException(e);
            }
        }
    }

    private static final class LimitIOException extends IOException {
        private static final long serialVersionUID = 1L;
        final ScanFailure failure;

        LimitIOException(ScanFailure f) {
            super(f.getMessage());
            this.failure = f;
        }
    }

    private void scanTreeNames(ObjectReader reader, RevTree tree, String prefix, Segmenter paths)
            throws IOException, ScanFailure {
        CanonicalTreeParser p = new CanonicalTreeParser(null, reader, tree);
        StringBuilder b = new StringBuilder();
        while (!p.eof()) {
            String full = prefix.isEmpty() ? p.getEntryPathString() : prefix + "/" + p.getEntryPathString();
            if (p.getEntryFileMode() == FileMode.GITLINK) {
                full += " (submodule " + p.getEntryObjectId().name() + ")";
            }
            // every new tree lists its unchanged entries again: each distinct name is scanned once per push
            if (seenPaths.add(full)) {
                b.append(full).append('\n');
            }
            p.next();
        }
        take(b.length());
        paths.append(b);
    }

    private void textUnit(Source src, String text) throws ScanFailure {
        Segmenter seg = new Segmenter(limits.segmentChars(), limits.overlapChars(),
                (t, own, line) -> add(src, t, own, line));
        seg.append(text);
        seg.finish();
    }

    private void add(Source src, String text, int ownEnd, int baseLine) throws ScanFailure {
        batch.add(new Unit("gitgate:" + (nextUnit++), src, text, ownEnd, baseLine));
        batchChars += text.length();
        if (batchChars >= limits.batchChars()) {
            flush();
        }
    }

    private void flush() throws ScanFailure {
        if (batch.isEmpty()) {
            return;
        }
        checkTime();
        List<ScanInput> inputs = new ArrayList<>(batch.size());
        Map<String, Unit> bySurface = new HashMap<>();
        for (Unit u : batch) {
            inputs.add(ScanInput.outbound(u.surface(), u.text()));
            bySurface.put(u.surface(), u);
        }
        List<Finding> findings;
        try {
            findings = engine.scan(inputs, detectors, known);
        } catch (DlpException e) {
            throw new ScanFailure("the DLP engine failed: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new ScanFailure("the DLP engine failed: " + e, e);
        }
        if (findings == null) {
            throw new ScanFailure("the DLP engine returned no result");
        }
        checkTime(); // a scan that finished late is still a scan that did not finish in time
        Map<Unit, List<Finding>> perUnit = new LinkedHashMap<>();
        for (Finding f : findings) {
            Unit u = bySurface.get(f.surface());
            if (u == null || f.end() > u.text().length()) {
                throw new ScanFailure("the DLP engine reported a finding outside the scanned text");
            }
            perUnit.computeIfAbsent(u, k -> new ArrayList<>()).add(f);
        }
        for (Map.Entry<Unit, List<Finding>> e : perUnit.entrySet()) {
            record(e.getKey(), e.getValue());
        }
        batch.clear();
        batchChars = 0;
    }

    private void record(Unit u, List<Finding> all) {
        String text = u.text();
        for (Finding f : all) {
            matched.add(text.substring(f.start(), f.end()));
        }
        for (Finding f : all) {
            if (f.severity() == Finding.Severity.INFO || f.start() >= u.ownEnd()) {
                continue; // informational, or owned by the next segment
            }
            int ls = text.lastIndexOf('\n', f.start() - 1) + 1;
            int le = text.indexOf('\n', f.start());
            le = le < 0 ? text.length() : le;
            int lastLineEnd = text.indexOf('\n', Math.max(f.start(), f.end() - 1));
            lastLineEnd = lastLineEnd < 0 ? text.length() : lastLineEnd;
            // gitleaks semantics: the marker anywhere on the line(s) of the match
            boolean suppressed = text.substring(ls, lastLineEnd).contains(ALLOW_MARK)
                    && f.severity() != Finding.Severity.CERTAIN; // the canary and known secrets are never allowed
            String shown = redactedLine(text, ls, le, all);
            int line = u.baseLine() == 0 ? 0 : u.baseLine() + Segmenter.countNewlines(text, 0, f.start());
            Source s = u.source();
            String path = s.path();
            int reportedLine = line;
            if (s.where() == PushFinding.Where.COMMIT) {
                int body = text.indexOf("\n\n");
                path = body >= 0 && f.start() > body ? "commit message" : "commit header (author/committer)";
                if (body >= 0 && f.start() > body) {
                    reportedLine = Segmenter.countNewlines(text, body + 2, f.start()) + 1;
                }
            } else if (s.where() == PushFinding.Where.PATH) {
                path = text.substring(ls, le);
                reportedLine = 0;
            } else if (s.where() == PushFinding.Where.REF || s.where() == PushFinding.Where.PUSH_OPTION) {
                path = text.substring(ls, le);
                reportedLine = 0;
            }
            if (s.where() == PushFinding.Where.BINARY) {
                String value = text.substring(f.start(), f.end());
                String key = s.object() + '\0' + f.rule() + '\0' + value;
                boolean dup = false;
                for (String seen : seenInBinary) {
                    // the same value seen through another byte order or alignment, possibly one char shorter
                    if (seen.startsWith(s.object() + '\0' + f.rule() + '\0')
                            && (seen.endsWith(value) || key.endsWith(seen.substring(seen.lastIndexOf('\0') + 1)))) {
                        dup = true;
                        break;
                    }
                }
                if (dup) {
                    continue;
                }
                seenInBinary.add(key);
            }
            PushFinding pf = new PushFinding(s.where(), f.detector(), f.rule(), f.severity(), s.commit(), path,
                    reportedLine, s.object(), suppressed, shown);
            if (s.where() == PushFinding.Where.FILE || s.where() == PushFinding.Where.BINARY) {
                blobFindings.computeIfAbsent(ObjectId.fromString(s.object()), k -> new ArrayList<>()).add(pf);
            } else {
                found.add(pf);
            }
        }
    }

    /** The finding's line, cut to a window around the finding, with every finding on it redacted. */
    private String redactedLine(String text, int ls, int le, List<Finding> all) {
        List<Finding> onLine = new ArrayList<>();
        for (Finding g : all) {
            if (g.end() > ls && g.start() < le) {
                int s = Math.max(g.start(), ls) - ls;
                int e = Math.min(g.end(), le) - ls;
                onLine.add(new Finding(g.detector(), g.rule(), g.surface(), s, e, g.severity()));
            }
        }
        String line = text.substring(ls, le);
        String red;
        try {
            red = engine.redact(line, onLine);
        } catch (RuntimeException e) {
            red = null;
        }
        if (red == null) {
            red = "(line not shown)";
        }
        red = red.strip();
        if (red.length() > LINE_SHOWN) {
            red = red.substring(0, LINE_SHOWN) + "...";
        }
        return red;
    }

    /** Finds, for blobs with findings, the first new commit (oldest first) that introduced them and where. */
    private void attribute(ObjectWalk ow, List<RevCommit> commits) throws IOException, ScanFailure {
        if (blobFindings.isEmpty()) {
            return;
        }
        Set<ObjectId> open = new HashSet<>(blobFindings.keySet());
        ObjectReader reader = ow.getObjectReader();
        for (int i = commits.size() - 1; i >= 0 && !open.isEmpty(); i--) {
            checkTime();
            RevCommit c = commits.get(i);
            try (TreeWalk tw = new TreeWalk(reader)) {
                tw.setRecursive(true);
                tw.addTree(c.getTree());
                for (RevCommit p : c.getParents()) {
                    ow.parseHeaders(p);
                    tw.addTree(p.getTree());
                }
                if (c.getParentCount() > 0) {
                    tw.setFilter(TreeFilter.ANY_DIFF);
                }
                while (tw.next()) {
                    ObjectId id = tw.getObjectId(0);
                    if (!open.contains(id)) {
                        continue;
                    }
                    boolean introduced = true;
                    for (int t = 1; t < tw.getTreeCount(); t++) {
                        if (id.equals(tw.getObjectId(t))) {
                            introduced = false;
                        }
                    }
                    if (introduced) {
                        open.remove(id);
                        String path = tw.getPathString();
                        List<PushFinding> l = blobFindings.get(id);
                        l.replaceAll(f -> f.attributed(c.name(), path));
                    }
                }
            }
        }
    }

    private void checkTime() throws ScanFailure {
        if (System.nanoTime() > deadline) {
            throw new ScanFailure("the scan did not finish within " + limits.timeout().toSeconds() + " s");
        }
    }

    private void take(long n) throws ScanFailure {
        bytes += n;
        if (bytes > limits.maxBytes()) {
            throw new ScanFailure("the push is larger than the scan limit of " + limits.maxBytes() + " bytes");
        }
    }

    /** Unwraps a limit hit inside a stream read. */
    static ScanFailure unwrap(IOException e) {
        return e instanceof LimitIOException l ? l.failure : null;
    }
}
