package bot.bottle.demo.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Git on the host, for the demo's upstream: a bare repository with one commit on {@code main}, placed in
 * the bottle's state directory so the sidecar (which mounts that directory) can reach it as a path
 * upstream.
 */
public final class HostGit {
    private HostGit() {
    }

    /** Runs git; returns stdout; throws with git's output when it fails or takes over a minute. */
    static String run(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add("git");
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        // the user's global git configuration must not change what the demo does
        pb.environment().put("GIT_CONFIG_GLOBAL", "/dev/null");
        pb.environment().put("GIT_CONFIG_NOSYSTEM", "1");
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IOException("git is not installed on this host (needed for the demo's upstream repository)", e);
        }
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("git " + String.join(" ", args) + " did not finish within 60 s");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException("git " + args[0] + " failed: " + Narrator.oneLine(text));
        }
        return text;
    }

    /** Creates {@code bare} with one commit (a README) on {@code main}. */
    public static void createUpstream(Path bare) throws IOException, InterruptedException {
        Files.createDirectories(bare.getParent());
        run(null, "init", "-q", "--bare", bare.toString());
        run(null, "--git-dir=" + bare, "symbolic-ref", "HEAD", "refs/heads/main");
        Path seed = Files.createTempDirectory("bot-bottle-demo-seed-");
        try {
            run(seed, "init", "-q");
            Files.writeString(seed.resolve("README.md"), "# demo\nThe bot-bottle demo's upstream repository.\n");
            run(seed, "add", "README.md");
            run(seed, "-c", "user.name=bot-bottle demo", "-c", "user.email=demo@bot-bottle.invalid", "commit", "-q",
                    "-m", "initial commit");
            run(seed, "push", "-q", bare.toString(), "HEAD:refs/heads/main");
        } finally {
            Files.walk(seed).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
