package bot.bottle.backend.docker;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import com.fasterxml.jackson.databind.ObjectMapper;

import bot.bottle.api.backend.BottleBackend;
import bot.bottle.api.backend.BottleStatus;
import bot.bottle.api.backend.Preflight;
import bot.bottle.backend.docker.core.Images;

/**
 * The Docker backend's lifecycle commands. {@code bottle:start} belongs to the manifest bundle (it
 * plans, then calls {@link BottleBackend#run}); {@code bottle:list} lists bottle definitions there, so
 * running bottles are {@code bottle:ps} here.
 */
@Component(service = DockerCommands.class, property = {
        "osgi.command.scope=bottle",
        "osgi.command.function=ps",
        "osgi.command.function=resume",
        "osgi.command.function=cleanup",
        "osgi.command.function=commit",
        "osgi.command.function=images"})
public final class DockerCommands {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DockerBottleBackend backend;

    @Activate
    public DockerCommands(@Reference(target = "(" + BottleBackend.ID_PROPERTY + "=docker)") BottleBackend backend) {
        this.backend = (DockerBottleBackend) backend;
    }

    @Descriptor("list the bottles that have containers or networks (running, sidecar-down, exited, ...)")
    public String ps(@Descriptor("output format: text or json")
            @Parameter(names = "--format", absentValue = "text") String format) throws IOException {
        requireEngine();
        List<BottleStatus> all = backend.list();
        if (format.equals("json")) {
            List<Object> out = new ArrayList<>();
            for (BottleStatus s : all) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("slug", s.slug());
                m.put("backend", s.backend());
                m.put("state", s.state());
                out.add(m);
            }
            return JSON.writeValueAsString(out);
        }
        if (all.isEmpty()) {
            return "no bottles running";
        }
        StringBuilder sb = new StringBuilder(String.format("%-32s %-14s %s%n", "SLUG", "STATE", "BACKEND"));
        for (BottleStatus s : all) {
            sb.append(String.format("%-32s %-14s %s%n", s.slug(), s.state(), s.backend()));
        }
        return sb.toString().stripTrailing();
    }

    @Descriptor("run a bottle again from its last plan, starting the agent from its last commit")
    public int resume(@Descriptor("the bottle's slug") String slug) throws Exception {
        requireEngine();
        if (!backend.known(slug)) {
            throw new BackendFailure(2, "no bottle " + slug + " to resume (see 'bot-bottle ps' and ~/.bot-bottle/state)");
        }
        return run(() -> backend.resume(slug));
    }

    @Descriptor("remove every container and network bot-bottle labelled (safe with nothing to clean)")
    public String cleanup() {
        requireEngine();
        int n = backend.cleanup();
        return n == 0 ? "nothing to clean up" : "removed " + n + " resource" + (n == 1 ? "" : "s");
    }

    @Descriptor("snapshot a running bottle's agent; the next resume starts from it")
    public String commit(@Descriptor("the bottle's slug") String slug) throws Exception {
        requireEngine();
        try {
            String id = backend.commit(slug);
            return "committed " + slug + " as " + id + " (next 'bot-bottle resume " + slug + "' starts from it)";
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw new BackendFailure(2, e.getMessage());
        }
    }

    @Descriptor("images: 'status' (default), 'bootstrap' (build the Debian base locally), 'build' (sidecar)")
    public String images(@Descriptor("status, bootstrap or build") String action) throws Exception {
        Images images = backend.images();
        switch (action) {
            case "bootstrap" -> {
                requireEngine();
                return bootstrap(images.base());
            }
            case "build" -> {
                requireEngine();
                String id = images.sidecarImage(backend.bottles().dist());
                return "sidecar image " + Images.SIDECAR_TAG + " " + id;
            }
            case "status" -> {
                requireEngine();
                StringBuilder sb = new StringBuilder();
                for (String tag : List.of(images.base(), Images.SIDECAR_TAG)) {
                    String recipe = images.label(tag, "bot-bottle.recipe");
                    sb.append(String.format("%-36s %s%n", tag, recipe == null ? "missing" : "recipe " + recipe));
                }
                return sb.toString().stripTrailing();
            }
            default -> throw new BackendFailure(2, "unknown images action '" + action + "' (status, bootstrap, build)");
        }
    }

    @Descriptor("show the images the Docker backend uses")
    public String images() throws Exception {
        return images("status");
    }

    /** Runs the bootstrap script shipped in this bundle; its output goes straight to the terminal. */
    private static String bootstrap(String tag) throws IOException, InterruptedException {
        Path script = Files.createTempFile("bot-bottle-bootstrap-", ".sh");
        try (InputStream in = DockerCommands.class.getResourceAsStream("/recipes/bootstrap-base.sh")) {
            if (in == null) {
                throw new BackendFailure(1, "bootstrap-base.sh is missing from the backend bundle");
            }
            Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
            Process p = new ProcessBuilder("bash", script.toString(), "--tag", tag).inheritIO().start();
            int status = p.waitFor();
            if (status != 0) {
                throw new BackendFailure(status, "base image bootstrap failed (status " + status + "; see the output above)");
            }
            return "base image " + tag + " ready";
        } finally {
            Files.deleteIfExists(script);
        }
    }

    private void requireEngine() {
        Preflight.Check c = backend.preflight().checks().get(0);
        if (!c.ok()) {
            throw new BackendFailure(3, c.detail());
        }
    }

    private interface Body {
        int call() throws Exception;
    }

    private static int run(Body body) throws Exception {
        try {
            return body.call();
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw new BackendFailure(1, e.getMessage());
        }
    }
}
