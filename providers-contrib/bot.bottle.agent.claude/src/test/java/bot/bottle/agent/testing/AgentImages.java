package bot.bottle.agent.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Builds provider images for tests through the Docker engine, once: each image carries the label
 * {@value #LABEL} = a hash of its recipe text and the base image id, and a tag whose label matches is
 * used as it is. The recipe is sent as the whole build context ({@code docker build -}), exactly as a
 * provider recipe is built by the backend (no context files).
 *
 * <p>Settings: {@code BOT_BOTTLE_BASE_IMAGE} (default {@value #DEFAULT_BASE}); the build CA passed as
 * {@code BUILD_CA_CERTS} is {@code BOT_BOTTLE_BUILD_CA_CERTS} (a PEM file) or, when unset, every
 * {@code /usr/local/share/ca-certificates/*.crt} of this host (the extra CAs the host itself trusts).
 */
public final class AgentImages {
    public static final String DEFAULT_BASE = "bot-bottle/base:bookworm";
    public static final String LABEL = "bot-bottle.recipe";
    private static final Map<String, Built> BUILT = new ConcurrentHashMap<>();

    /** A ready image. */
    public record Built(String tag, String id, boolean reused, double seconds, long sizeBytes) {
    }

    private AgentImages() {
    }

    public static String base() {
        String b = System.getenv("BOT_BOTTLE_BASE_IMAGE");
        return b == null || b.isBlank() ? DEFAULT_BASE : b;
    }

    /** Why provider images cannot be built here, or empty. */
    public static Optional<String> unavailable() {
        Optional<String> engine = Docker.unavailable();
        if (engine.isPresent()) {
            return engine;
        }
        if (Docker.imageId(base()).isEmpty()) {
            return Optional.of("base image " + base() + " is not present (run sidecar/bootstrap-base.sh or"
                    + " 'bot-bottle images bootstrap')");
        }
        return Optional.empty();
    }

    /** The recipe hash: recipe text and base image id (the build CA is the host's business, not the recipe's). */
    public static String hash(String dockerfile, String baseId) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(dockerfile.getBytes(StandardCharsets.UTF_8));
            d.update((byte) 0);
            d.update(baseId.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d.digest()).substring(0, 32);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Builds {@code bot-bottle-itest/agent-<name>:latest} from the recipe unless an identical one exists. */
    public static synchronized Built ensure(String name, String dockerfile) {
        String tag = "bot-bottle-itest/agent-" + name + ":latest";
        Built done = BUILT.get(tag);
        String baseId = Docker.imageId(base()).orElseThrow(() -> new IllegalStateException("no base image " + base()));
        String hash = hash(dockerfile, baseId);
        if (done != null && done.id().equals(Docker.imageId(tag).orElse(""))) {
            return done;
        }
        Docker.Result label = Docker.run("image", "inspect", "--format", "{{ index .Config.Labels \"" + LABEL + "\" }}", tag);
        long t0 = System.nanoTime();
        boolean reused = label.status() == 0 && label.output().strip().equals(hash);
        if (!reused) {
            List<String> args = new ArrayList<>(List.of("build", "--pull=false", "--rm", "-t", tag, "--label", LABEL + "=" + hash,
                    "--build-arg", "BASE=" + base()));
            String ca = buildCa();
            if (!ca.isEmpty()) {
                args.add("--build-arg");
                args.add("BUILD_CA_CERTS=" + ca);
            }
            args.add("-");
            Docker.run(args, dockerfile, 1500).orThrow("docker build of " + tag);
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        String id = Docker.imageId(tag).orElseThrow();
        long size = Long.parseLong(Docker.run("image", "inspect", "--format", "{{.Size}}", tag).orThrow("inspect").output().strip());
        Built b = new Built(tag, id, reused, secs, size);
        BUILT.put(tag, b);
        System.out.printf("agent image %s: %s in %.1f s, %d MB (recipe %s)%n", tag, reused ? "reused" : "built",
                secs, size / 1_000_000, hash.substring(0, 12));
        return b;
    }

    static String buildCa() {
        String file = System.getenv("BOT_BOTTLE_BUILD_CA_CERTS");
        try {
            if (file != null && !file.isBlank()) {
                return Files.readString(Path.of(file));
            }
            Path dir = Path.of("/usr/local/share/ca-certificates");
            StringBuilder sb = new StringBuilder();
            if (Files.isDirectory(dir)) {
                try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.crt")) {
                    List<Path> all = new ArrayList<>();
                    s.forEach(all::add);
                    all.sort(null);
                    for (Path p : all) {
                        sb.append(Files.readString(p)).append('\n');
                    }
                }
            }
            return sb.toString().strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
