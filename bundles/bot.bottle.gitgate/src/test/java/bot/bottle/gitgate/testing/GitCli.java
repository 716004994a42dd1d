package bot.bottle.gitgate.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the real git CLI with a private HOME and no system config; every run is bounded. */
public final class GitCli {

    private final Path home;

    public GitCli(Path home) throws IOException {
        this.home = home;
        Files.createDirectories(home);
        Files.writeString(home.resolve(".gitconfig"), "[user]\n\tname = Agent\n\temail = agent@example.invalid\n"
                + "[init]\n\tdefaultBranch = main\n[protocol]\n\tversion = 2\n[advice]\n\tdetachedHead = false\n");
    }

    public record Result(int code, String out, String err) {
        public Result ok() {
            if (code != 0) {
                throw new AssertionError("git failed (" + code + "): " + err + out);
            }
            return this;
        }

        public String all() {
            return out + err;
        }
    }

    public Result run(Path dir, String... args) throws IOException, InterruptedException {
        return run(dir, Map.of(), args);
    }

    public Result run(Path dir, Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("git");
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.environment().put("HOME", home.toString());
        pb.environment().put("GIT_CONFIG_NOSYSTEM", "1");
        pb.environment().put("GIT_TERMINAL_PROMPT", "0");
        pb.environment().remove("GIT_DIR");
        pb.environment().putAll(env);
        Path out = Files.createTempFile("git-out", ".txt");
        Path err = Files.createTempFile("git-err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
        Process p = pb.start();
        p.getOutputStream().close();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("git " + String.join(" ", args) + " did not finish in 120 s");
        }
        Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
        return r;
    }

    /** Writes a file and commits it. */
    public String commitFile(Path work, String file, String content, String message)
            throws IOException, InterruptedException {
        Path f = work.resolve(file);
        Files.createDirectories(f.getParent());
        Files.writeString(f, content, StandardCharsets.UTF_8);
        run(work, "add", file).ok();
        run(work, "commit", "-q", "-m", message).ok();
        return run(work, "rev-parse", "HEAD").ok().out().strip();
    }
}
