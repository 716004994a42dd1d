package bot.bottle.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import bot.bottle.kernel.api.ContribEntry;
import bot.bottle.kernel.api.KernelService;

/**
 * {@code bot-bottle doctor}: checks what bot-bottle needs and says how to fix what is missing. Exits 1
 * when a needed check fails; warnings (a refused contrib jar, no trusted signer) do not fail it.
 */
@Component(service = DoctorCommand.class, property = {"osgi.command.scope=bottle", "osgi.command.function=doctor"})
public final class DoctorCommand {
    private final KernelService kernel;
    private final BundleContext context;

    @Activate
    public DoctorCommand(@Reference KernelService kernel, BundleContext context) {
        this.kernel = kernel;
        this.context = context;
    }

    /** One check: {@code level} is ok, warn or fail. */
    public record Check(String name, String level, String detail) {
    }

    @Descriptor("check Java, the Docker engine, config and trust folders and every bundle; say how to fix problems")
    public String doctor(
            @Descriptor("text or json") @Parameter(names = "--format", absentValue = "text") String format) {
        List<Check> checks = checks();
        boolean failed = checks.stream().anyMatch(c -> c.level().equals("fail"));
        String text;
        if (Json.format(format).equals("json")) {
            text = Json.write(Map.of("ok", !failed, "checks", checks));
        } else {
            StringBuilder sb = new StringBuilder();
            for (Check c : checks) {
                sb.append(c.level()).append(": ").append(c.name()).append(": ").append(c.detail()).append('\n');
            }
            text = sb.toString().stripTrailing();
        }
        if (failed) {
            System.out.println(text);
            System.out.flush();
            throw new CommandFailed(1, "doctor: some checks failed (see the fail: lines above)");
        }
        return text;
    }

    List<Check> checks() {
        List<Check> out = new ArrayList<>();
        out.add(java());
        out.add(folder("home", kernel.home(), true));
        out.add(trust());
        out.add(docker());
        bundles(out);
        for (ContribEntry e : kernel.contrib()) {
            if (!e.state().equals("active")) {
                out.add(new Check("contrib " + e.file(), "warn", e.state() + (e.reason().isEmpty() ? "" : ": " + e.reason())));
            }
        }
        return out;
    }

    static Check java() {
        int feature = Runtime.version().feature();
        String detail = System.getProperty("java.vendor") + " " + Runtime.version() + " at " + System.getProperty("java.home");
        return feature >= 17 ? new Check("java", "ok", detail)
                : new Check("java", "fail", detail + "; install Java 17 or newer (apt-get install openjdk-17-jre-headless)");
    }

    static Check folder(String name, Path dir, boolean needed) {
        if (Files.isDirectory(dir) && Files.isWritable(dir)) {
            return new Check(name, "ok", dir.toString());
        }
        String fix = Files.exists(dir) ? dir + " is not a writable folder; fix its permissions"
                : dir + " does not exist; create it with: mkdir -p " + dir;
        return new Check(name, needed ? "fail" : "warn", fix);
    }

    private Check trust() {
        Path dir = kernel.home().resolve("trust");
        if (!Files.isDirectory(dir)) {
            return new Check("trust", "warn", dir + " does not exist: every contrib bundle will be refused"
                    + " (trust a signer with: bot-bottle contrib trust <cert>)");
        }
        try {
            List<String> certs = kernel.trusted();
            return new Check("trust", "ok", dir + " (" + certs.size() + " trusted signer" + (certs.size() == 1 ? "" : "s") + ")");
        } catch (Exception e) {
            return new Check("trust", "warn", dir + ": " + e.getMessage());
        }
    }

    static Check docker() {
        try {
            Process p = new ProcessBuilder("docker", "version", "--format", "{{.Server.Version}}")
                    .redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Check("docker", "fail", "the engine did not answer in 10 s; check that dockerd is healthy");
            }
            if (p.exitValue() != 0) {
                return new Check("docker", "fail", "the Docker engine is not reachable ("
                        + output.lines().reduce((a, b) -> b).orElse("no output")
                        + "); start it (systemctl start docker, or run dockerd as root)");
            }
            return new Check("docker", "ok", "engine " + output + runtimes());
        } catch (IOException e) {
            return new Check("docker", "fail", "the docker command is not installed; install the engine"
                    + " (apt-get install docker.io) and start it");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Check("docker", "fail", "interrupted");
        }
    }

    private static String runtimes() {
        try {
            Process p = new ProcessBuilder("docker", "info", "--format", "{{range $k, $v := .Runtimes}}{{$k}} {{end}}")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 && !out.isEmpty()) {
                String suffix = out.contains("runsc") ? "; gVisor (runsc) registered: bottles run under it" : "";
                return ", runtimes: " + out + suffix;
            }
        } catch (IOException e) {
            // reported by the version check already
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "";
    }

    private void bundles(List<Check> out) {
        Map<String, String> problems = kernel.bundleProblems();
        int active = 0;
        for (Bundle b : context.getBundles()) {
            if (b.getBundleId() == 0 || b.getLocation().startsWith("contrib:")) {
                continue;
            }
            boolean fragment = b.getHeaders().get(Constants.FRAGMENT_HOST) != null;
            if (b.getState() == Bundle.ACTIVE || (fragment && b.getState() == Bundle.RESOLVED)) {
                active++;
                continue;
            }
            String why = problems.getOrDefault(b.getSymbolicName(), "state " + state(b.getState()));
            out.add(new Check("bundle " + b.getSymbolicName(), "fail", why
                    + "; reinstall bot-bottle (launcher/install.sh) or remove the bundle that needs it"));
        }
        problems.forEach((name, why) -> {
            if (out.stream().noneMatch(c -> c.name().equals("bundle " + name))) {
                out.add(new Check("bundle " + name, "fail", why));
            }
        });
        out.add(new Check("bundles", "ok", active + " active"));
    }

    private static String state(int s) {
        return switch (s) {
            case Bundle.INSTALLED -> "installed (unresolved)";
            case Bundle.RESOLVED -> "resolved (not started)";
            case Bundle.STARTING -> "starting";
            case Bundle.STOPPING -> "stopping";
            default -> String.valueOf(s);
        };
    }
}
