package bot.bottle.gitgate.gate;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import bot.bottle.api.dlp.DlpScanner;
import bot.bottle.gitgate.scan.PushFinding;
import bot.bottle.gitgate.scan.PushScanner;
import bot.bottle.gitgate.scan.ScanFailure;
import bot.bottle.gitgate.scan.ScanLimits;
import bot.bottle.gitgate.scan.ScanReport;

/**
 * {@code gitgate:scan}: scans a range of an existing repository with the gate's engine and rules.
 * Ranges: none (every ref), {@code REV} (everything reachable from it), {@code A..B} (reachable from B, not
 * from A), or several of those; {@code ^REV} excludes.
 */
public final class RepoScan {

    private RepoScan() {
    }

    public static ScanReport scan(DlpScanner engine, Path repoDir, List<String> range, ScanLimits limits) {
        Repository repo;
        try {
            FileRepositoryBuilder b = new FileRepositoryBuilder().setMustExist(true);
            File d = repoDir.toFile();
            if (new File(d, ".git").exists()) {
                b.setWorkTree(d);
            } else {
                b.setGitDir(d);
            }
            repo = b.build();
        } catch (IOException | IllegalArgumentException e) {
            throw new GateFailure(2, repoDir + " is not a git repository");
        }
        try (repo) {
            List<ObjectId> tips = new ArrayList<>();
            List<ObjectId> haves = new ArrayList<>();
            if (range.isEmpty()) {
                for (Ref r : repo.getRefDatabase().getRefs()) {
                    if (r.getObjectId() != null) {
                        tips.add(r.getObjectId());
                    }
                }
            }
            for (String spec : range) {
                int dots = spec.indexOf("..");
                if (spec.contains("...")) {
                    throw new GateFailure(2, "symmetric ranges (A...B) are not supported: " + spec);
                } else if (dots >= 0) {
                    String a = spec.substring(0, dots);
                    String b = spec.substring(dots + 2);
                    haves.add(resolve(repo, a.isEmpty() ? "HEAD" : a));
                    tips.add(resolve(repo, b.isEmpty() ? "HEAD" : b));
                } else if (spec.startsWith("^")) {
                    haves.add(resolve(repo, spec.substring(1)));
                } else {
                    tips.add(resolve(repo, spec));
                }
            }
            if (tips.isEmpty()) {
                throw new GateFailure(2, "nothing to scan in " + repoDir);
            }
            return new PushScanner(engine, Set.of(), null, limits).scan(repo, tips, haves, List.of(), List.of());
        } catch (ScanFailure e) {
            throw new GateFailure(3, "scan of " + repoDir + " failed: " + e.getMessage());
        } catch (IOException e) {
            throw new GateFailure(3, "cannot read " + repoDir + ": " + e.getMessage());
        }
    }

    private static ObjectId resolve(Repository repo, String rev) throws IOException {
        ObjectId id;
        try {
            id = repo.resolve(rev);
        } catch (RuntimeException e) {
            id = null;
        }
        if (id == null) {
            throw new GateFailure(2, "unknown revision '" + rev + "'");
        }
        return id;
    }

    public static String text(ScanReport r) {
        StringBuilder b = new StringBuilder();
        for (PushFinding f : r.findings()) {
            b.append(f.commit().isEmpty() ? "-" : f.shortCommit()).append(' ').append(f.location()).append(' ')
                    .append(f.rule()).append(f.suppressed() ? " (gitleaks:allow: needs an operator at push)" : "")
                    .append('\n');
            if (!f.redactedLine().isEmpty()) {
                b.append("    ").append(f.redactedLine()).append('\n');
            }
        }
        b.append(r.findings().size()).append(" finding(s); ").append(r.commits()).append(" commits, ")
                .append(r.objects()).append(" objects, ").append(r.bytes()).append(" bytes scanned in ")
                .append(r.took().toMillis()).append(" ms\n");
        return b.toString();
    }

    public static String json(ScanReport r) {
        ObjectMapper m = new ObjectMapper();
        ObjectNode o = m.createObjectNode();
        ArrayNode a = o.putArray("findings");
        for (PushFinding f : r.findings()) {
            ObjectNode n = a.addObject();
            n.put("where", f.where().label());
            n.put("detector", f.detector());
            n.put("rule", f.rule());
            n.put("severity", f.severity().name().toLowerCase(java.util.Locale.ROOT));
            n.put("commit", f.commit());
            n.put("path", f.path());
            n.put("line", f.line());
            n.put("suppressed", f.suppressed());
            n.put("redacted_line", f.redactedLine());
        }
        o.put("commits", r.commits());
        o.put("objects", r.objects());
        o.put("bytes", r.bytes());
        o.put("millis", r.took().toMillis());
        try {
            return m.writerWithDefaultPrettyPrinter().writeValueAsString(o) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
