package bot.bottle.agent.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The docker CLI, run as a process with a deadline; output goes to a temp file, never a pipe that can fill. */
public final class Docker {
    private Docker() {
    }

    /** A finished command. */
    public record Result(int status, String output) {
        public Result orThrow(String what) {
            if (status != 0) {
                throw new IllegalStateException(what + " failed (exit " + status + "): " + tail(output, 2000));
            }
            return this;
        }
    }

    public static Result run(List<String> args, String stdin, long timeoutSeconds) {
        List<String> cmd = new ArrayList<>();
        cmd.add("docker");
        cmd.addAll(args);
        Path out = null;
        try {
            out = Files.createTempFile("docker-", ".log");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
            Process p = pb.start();
            try (var in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                return new Result(124, Files.readString(out) + "\n[timed out after " + timeoutSeconds + " s]");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(127, "cannot run docker: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(130, "interrupted");
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // a temp file: the OS cleans it up
                }
            }
        }
    }

    public static Result run(String... args) {
        return run(List.of(args), null, 120);
    }

    /** Why engine tests cannot run here, or empty when the engine answers. */
    public static Optional<String> unavailable() {
        Result r = run(List.of("version", "--format", "{{.Server.Version}}"), null, 30);
        if (r.status() == 127) {
            return Optional.of("no docker CLI on PATH (apt-get install docker.io)");
        }
        if (r.status() != 0) {
            return Optional.of("the Docker engine is not reachable (start dockerd): " + tail(r.output(), 200).strip());
        }
        return Optional.empty();
    }

    /** An image's id, or empty when the engine does not have it. */
    public static Optional<String> imageId(String image) {
        Result r = run("image", "inspect", "--format", "{{.Id}}", image);
        return r.status() == 0 ? Optional.of(r.output().strip()) : Optional.empty();
    }

    public static String tail(String s, int max) {
        return s.length() <= max ? s : "..." + s.substring(s.length() - max);
    }
}
