package bot.bottle.gitgate.scan;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.eclipse.jgit.lib.ObjectId;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import bot.bottle.api.dlp.Finding;

/**
 * Runs an external {@code gitleaks} binary over the same range, in addition to the built-in engine (never
 * instead of it). Its own allowlists cannot be steered by the agent: it runs on the gate's bare repository
 * (no work tree, so no {@code .gitleaks.toml} or {@code .gitleaksignore} of the agent's), with
 * {@code --ignore-gitleaks-allow} and {@code --redact}. A finding whose line carries {@code gitleaks:allow}
 * goes to the operator like the built-in ones; any other finding, a non-zero exit, unreadable output or a
 * timeout refuses the push. The matched line is used only to look for the marker and is never shown.
 */
public final class ExternalGitleaks {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final String command;
    private final Duration timeout;

    public ExternalGitleaks(String command, Duration timeout) {
        this.command = command;
        this.timeout = timeout;
    }

    /** Finds the binary: an absolute path as is, else the first match on PATH. */
    public Optional<Path> locate() {
        if (command.contains("/")) {
            Path p = Path.of(command);
            return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, command);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    public List<PushFinding> scan(Path binary, Path gitDir, Collection<? extends ObjectId> tips,
            Collection<? extends ObjectId> haves) throws ScanFailure {
        StringBuilder logOpts = new StringBuilder();
        for (ObjectId t : tips) {
            logOpts.append(t.name()).append(' ');
        }
        if (!haves.isEmpty()) {
            logOpts.append("--not");
            for (ObjectId h : haves) {
                logOpts.append(' ').append(h.name());
            }
        }
        Path report = null;
        try {
            report = Files.createTempFile("gitgate-gitleaks", ".json");
            List<String> cmd = List.of(binary.toString(), "git", "--no-banner", "--redact", "--ignore-gitleaks-allow",
                    "--log-opts=" + logOpts.toString().strip(), "--report-format=json",
                    "--report-path=" + report, "--exit-code=0", gitDir.toString());
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            pb.environment().remove("GITLEAKS_CONFIG"); // the host's default rules, never a pushed config
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new ScanFailure("gitleaks did not finish within " + timeout.toSeconds() + " s");
            }
            if (p.exitValue() != 0) {
                throw new ScanFailure("gitleaks exited with status " + p.exitValue());
            }
            JsonNode root = MAPPER.readTree(Files.readString(report));
            if (root == null || !root.isArray()) {
                throw new ScanFailure("gitleaks wrote no readable report");
            }
            List<PushFinding> out = new ArrayList<>();
            for (JsonNode f : root) {
                String line = f.path("Line").asText("");
                boolean suppressed = line.contains(PushScanner.ALLOW_MARK);
                out.add(new PushFinding(PushFinding.Where.EXTERNAL, "gitleaks", f.path("RuleID").asText("unknown"),
                        Finding.Severity.HIGH, f.path("Commit").asText(""), Redactor.clean(f.path("File").asText("")),
                        f.path("StartLine").asInt(0), "", suppressed, "(line not shown: external gitleaks)"));
            }
            return out;
        } catch (IOException e) {
            throw new ScanFailure("cannot run gitleaks: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ScanFailure("interrupted while running gitleaks");
        } finally {
            if (report != null) {
                try {
                    Files.deleteIfExists(report);
                } catch (IOException e) {
                    // temp file; nothing secret in it (--redact)
                }
            }
        }
    }
}
