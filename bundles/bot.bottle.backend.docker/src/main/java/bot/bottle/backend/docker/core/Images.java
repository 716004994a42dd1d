package bot.bottle.backend.docker.core;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;

import bot.bottle.api.plan.ImageRecipe;

/**
 * Builds the sidecar and agent images through the engine, from recipes in the project, and never
 * rebuilds an unchanged recipe: every image carries {@value Names#LABEL_RECIPE} = the hash of its build
 * context and base image, and a tag whose label matches is used as it is. No registry is contacted
 * ({@code pull=false}); the base image is configurable and can be bootstrapped locally.
 */
public final class Images {
    public static final String DEFAULT_BASE = "bot-bottle/base:bookworm";
    public static final String SIDECAR_TAG = "bot-bottle/sidecar:latest";
    public static final String DEFAULT_AGENT_TAG = "bot-bottle-agent-default:latest";
    /** Image label listing the bot-bottle services the sidecar image contains (egress, supervise, ...). */
    public static final String LABEL_SERVICES = "bot-bottle.services";

    private final DockerEngine engine;
    private final String base;
    private final PrintStream progress;
    private final Path cacheDir;

    /**
     * @param cacheDir where the sidecar's recipe hash is remembered by file size and time, so an
     *                 unchanged distribution is not read and hashed again on every start; null: no cache
     */
    public Images(DockerEngine engine, String base, PrintStream progress, Path cacheDir) {
        this.engine = engine;
        this.base = base == null || base.isBlank() ? DEFAULT_BASE : base;
        this.progress = progress;
        this.cacheDir = cacheDir;
    }

    public String base() {
        return base;
    }

    /** The base image's id; a clear error naming the fix when it is missing. */
    public String baseId() {
        try {
            return inspect(base).path("Id").asText();
        } catch (EngineApi.NotFound e) {
            throw new IllegalStateException("base image " + base + " is not present: run 'bot-bottle images bootstrap'"
                    + " (builds it locally with debootstrap) or set bot.bottle.docker.base to an image you have");
        }
    }

    /** A recipe shipped inside this bundle ({@code recipes/...}). */
    public static String resource(String name) {
        try (InputStream in = Images.class.getResourceAsStream("/recipes/" + name)) {
            if (in == null) {
                throw new IllegalStateException("recipe " + name + " is missing from the backend bundle");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The sidecar's build context: its Dockerfile and the distribution cut to the sidecar bundle set. */
    public static BuildContext sidecarContext(Path dist, String dockerfile, String bundleList) {
        if (!Files.isDirectory(dist.resolve("lib")) || !Files.isDirectory(dist.resolve("bundle"))) {
            throw new IllegalStateException("distribution " + dist + " has no lib/ and bundle/ (set bot.bottle.dist)");
        }
        BuildContext ctx = new BuildContext();
        ctx.add("Dockerfile", dockerfile);
        ctx.addFile("dist/bin/bot-bottle", resolveLauncher(dist));
        for (Path jar : jars(dist.resolve("lib"))) {
            ctx.addFile("dist/lib/" + jar.getFileName(), jar);
        }
        List<PathMatcher> globs = new ArrayList<>();
        for (String line : bundleList.split("\n")) {
            String g = line.strip();
            if (!g.isEmpty() && !g.startsWith("#")) {
                globs.add(FileSystems.getDefault().getPathMatcher("glob:" + g));
            }
        }
        for (Path jar : jars(dist.resolve("bundle"))) {
            if (globs.stream().anyMatch(m -> m.matches(jar.getFileName()))) {
                ctx.addFile("dist/bundle/" + jar.getFileName(), jar);
            }
        }
        return ctx;
    }

    private static Path resolveLauncher(Path dist) {
        Path bin = dist.resolve("bin").resolve("bot-bottle");
        if (!Files.isRegularFile(bin)) {
            throw new IllegalStateException("distribution " + dist + " has no bin/bot-bottle");
        }
        return bin;
    }

    private static List<Path> jars(Path dir) {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, "*.jar")) {
            s.forEach(out::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        out.sort(null);
        return out;
    }

    /**
     * The services a sidecar would start, and the framework property that switches each on. A
     * service counts as present when some bundle in the context reads its property (the property name
     * appears in one of its classes): a bundle without its sidecar component yet would otherwise make
     * the launch wait for a port nobody opens.
     */
    static final Map<String, String> SERVICE_PROPERTIES = Map.of(
            "egress", "bot.bottle.egress.routes",
            "supervise", "bot.bottle.supervise.state",
            "gitgate", "bot.bottle.gitgate.config");

    static String services(BuildContext ctx) {
        Set<String> s = new TreeSet<>();
        ctx.forEach((path, content) -> {
            if (path.startsWith("dist/bundle/bot.bottle.") && path.endsWith(".jar")) {
                SERVICE_PROPERTIES.forEach((svc, prop) -> {
                    if (!s.contains(svc) && jarMentions(content, prop)) {
                        s.add(svc);
                    }
                });
            }
        });
        return String.join(",", s);
    }

    static boolean jarMentions(byte[] jar, String text) {
        byte[] needle = text.getBytes(StandardCharsets.UTF_8);
        try (java.util.zip.ZipInputStream zin = new java.util.zip.ZipInputStream(new ByteArrayInputStream(jar))) {
            java.util.zip.ZipEntry e;
            while ((e = zin.getNextEntry()) != null) {
                if (e.getName().endsWith(".class") && indexOf(zin.readAllBytes(), needle) >= 0) {
                    return true;
                }
            }
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot read a sidecar bundle", ex);
        }
        return false;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Ensures the sidecar image for this distribution; returns its id. */
    public String sidecarImage(Path dist) {
        String dockerfile = resource("sidecar.Dockerfile");
        String bundleList = resource("sidecar-bundles.txt");
        // Fast path: the same files (by name, size and time) as when the current image was built.
        String stamp = stamp(dist, dockerfile + "\0" + bundleList + "\0" + base);
        Path cache = cacheDir == null ? null : cacheDir.resolve("sidecar-image.stamp");
        String have = label(SIDECAR_TAG, Names.LABEL_RECIPE);
        if (cache != null && have != null && Files.isRegularFile(cache)) {
            try {
                String[] kv = Files.readString(cache).strip().split(" ");
                if (kv.length == 2 && kv[0].equals(stamp) && kv[1].equals(have)) {
                    return inspect(SIDECAR_TAG).path("Id").asText();
                }
            } catch (IOException e) {
                // an unreadable cache is a miss
            }
        }
        String id = buildSidecar(dist);
        String built = label(SIDECAR_TAG, Names.LABEL_RECIPE);
        if (cache != null && built != null) {
            try {
                Files.createDirectories(cacheDir);
                Bottles.writeAtomic(cache, stamp + " " + built + "\n");
            } catch (IOException e) {
                // the cache only saves time
            }
        }
        return id;
    }

    /** A cheap fingerprint of the distribution: file names, sizes and modification times. */
    static String stamp(Path dist, String extra) {
        StringBuilder sb = new StringBuilder(extra);
        for (String sub : List.of("bin", "lib", "bundle")) {
            Path d = dist.resolve(sub);
            if (!Files.isDirectory(d)) {
                continue;
            }
            try (java.util.stream.Stream<Path> files = Files.list(d)) {
                files.sorted().forEach(f -> {
                    try {
                        sb.append('\n').append(sub).append('/').append(f.getFileName()).append(' ')
                                .append(Files.size(f)).append(' ').append(Files.getLastModifiedTime(f).toMillis());
                    } catch (IOException e) {
                        sb.append('\n').append(f).append(" ?");
                    }
                });
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + d, e);
            }
        }
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(sb.toString().getBytes(StandardCharsets.UTF_8))).substring(0, 32);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private String buildSidecar(Path dist) {
        BuildContext ctx = sidecarContext(dist, resource("sidecar.Dockerfile"), resource("sidecar-bundles.txt"));
        Map<String, String> labels = Names.labels(null, Names.ROLE_SIDECAR_IMAGE);
        labels.put(LABEL_SERVICES, services(ctx));
        return ensure(SIDECAR_TAG, ctx, "Dockerfile", labels);
    }

    /** The services the (built) sidecar image carries. */
    public Set<String> sidecarServices() {
        String s = label(SIDECAR_TAG, LABEL_SERVICES);
        Set<String> out = new TreeSet<>();
        if (s != null) {
            for (String x : s.split(",")) {
                if (!x.isBlank()) {
                    out.add(x.strip());
                }
            }
        }
        return out;
    }

    /**
     * Ensures the agent image of a plan; returns its id. A bottle's own Dockerfile builds with its
     * directory as context; a provider recipe (or, when there is none, the default agent recipe)
     * builds alone. Also returns, through {@code recipeOut}, the Dockerfile text used.
     */
    public String agentImage(ImageRecipe recipe, StringBuilder recipeOut) {
        BuildContext ctx = new BuildContext();
        String dockerfilePath;
        String tag = recipe.tag().isBlank() ? DEFAULT_AGENT_TAG : recipe.tag();
        if (recipe.kind().equals("dockerfile")) {
            Path df = Path.of(recipe.dockerfile());
            if (!Files.isRegularFile(df)) {
                throw new IllegalStateException("agent Dockerfile " + df + " does not exist");
            }
            Path dir = df.toAbsolutePath().getParent();
            ctx.addTree(dir);
            dockerfilePath = dir.relativize(df.toAbsolutePath()).toString();
            try {
                recipeOut.append(Files.readString(df));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + df, e);
            }
        } else {
            String text = recipe.recipe().isBlank() ? resource("agent-default.Dockerfile") : recipe.recipe();
            ctx.add("Dockerfile", text);
            dockerfilePath = "Dockerfile";
            recipeOut.append(text);
        }
        return ensure(tag, ctx, dockerfilePath, Names.labels(null, Names.ROLE_AGENT_IMAGE));
    }

    /** An agent image from a recipe's text alone (no other context files), tagged {@code tag}. */
    public String recipeImage(String tag, String dockerfile) {
        BuildContext ctx = new BuildContext();
        ctx.add("Dockerfile", dockerfile);
        return ensure(tag, ctx, "Dockerfile", Names.labels(null, Names.ROLE_AGENT_IMAGE));
    }

    /** {@code docker image inspect}; throws {@link EngineApi.NotFound}. */
    JsonNode inspect(String image) {
        return engine.api().json("GET", "/images/" + image + "/json", null);
    }

    /** The label of an image, or null when the image or label is absent. */
    public String label(String image, String key) {
        try {
            JsonNode v = inspect(image).path("Config").path("Labels").path(key);
            return v.isTextual() ? v.asText() : null;
        } catch (EngineApi.NotFound e) {
            return null;
        }
    }

    /**
     * {@code BASE}, and {@code BUILD_CA_CERTS}: extra CA certificates (PEM) a recipe's build stage trusts
     * for networks whose TLS to the package registries is inspected — the file named by
     * {@code BOT_BOTTLE_BUILD_CA_CERTS}, else every {@code /usr/local/share/ca-certificates/*.crt} of this
     * host. Recipes that do not declare the argument ignore it; it is not part of the recipe hash.
     */
    Map<String, String> buildArgs() {
        Map<String, String> args = new LinkedHashMap<>();
        args.put("BASE", base);
        StringBuilder pem = new StringBuilder();
        try {
            String file = System.getenv("BOT_BOTTLE_BUILD_CA_CERTS");
            if (file != null && !file.isBlank()) {
                pem.append(java.nio.file.Files.readString(java.nio.file.Path.of(file)));
            } else {
                java.nio.file.Path dir = java.nio.file.Path.of("/usr/local/share/ca-certificates");
                if (java.nio.file.Files.isDirectory(dir)) {
                    try (var files = java.nio.file.Files.walk(dir)) {
                        for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) files
                                .filter(x -> x.toString().endsWith(".crt")).sorted()::iterator) {
                            pem.append(java.nio.file.Files.readString(f)).append('\n');
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the build CA certificates: " + e.getMessage(), e);
        }
        if (pem.length() > 0) {
            args.put("BUILD_CA_CERTS", pem.toString());
        }
        return args;
    }

    /** Builds {@code tag} from {@code ctx} unless an image with the same recipe hash already has it. */
    public String ensure(String tag, BuildContext ctx, String dockerfilePath, Map<String, String> labels) {
        String baseId = baseId();
        String hash = ctx.hash(dockerfilePath + "\0" + baseId);
        if (hash.equals(label(tag, Names.LABEL_RECIPE))) {
            return inspect(tag).path("Id").asText();
        }
        String previous = label(tag, Names.LABEL_RECIPE) == null ? null : inspect(tag).path("Id").asText(null);
        progress.println("bot-bottle: building " + tag + " (recipe " + hash.substring(0, 12) + ")");
        Map<String, String> all = new LinkedHashMap<>(labels);
        all.put(Names.LABEL_RECIPE, hash);
        long t0 = System.nanoTime();
        String[] error = new String[1];
        try {
            String path = EngineApi.query("/build", "t", tag, "dockerfile", dockerfilePath, "pull", "0", "rm", "1",
                    "forcerm", "1", "labels", EngineApi.JSON.writeValueAsString(all),
                    "buildargs", EngineApi.JSON.writeValueAsString(buildArgs()));
            engine.api().jsonStream("POST", path, ctx.tar(), "application/x-tar", item -> {
                String stream = item.path("stream").asText(null);
                if (stream != null) {
                    for (String line : stream.split("\n")) {
                        if (!line.isBlank()) {
                            progress.println("  [" + tag + "] " + line.stripTrailing());
                        }
                    }
                }
                if (item.hasNonNull("error")) {
                    error[0] = item.get("error").asText().strip();
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            throw new IllegalStateException("building " + tag + " failed: " + DockerEngine.oneLine(e), e);
        }
        if (error[0] != null) {
            throw new IllegalStateException("building " + tag + " failed: " + error[0]);
        }
        progress.printf("bot-bottle: built %s in %.1f s%n", tag, (System.nanoTime() - t0) / 1e9);
        String id = inspect(tag).path("Id").asText();
        if (previous != null && !previous.equals(id)) {
            removeIfUnused(previous);
        }
        return id;
    }

    /**
     * Removes an image this backend built that a rebuild left without a tag, unless something still
     * uses it: never forced, so a running bottle's container or an image built on it (a snapshot) keeps
     * it (the engine answers 409). Otherwise every upgrade would leave a few hundred MB behind.
     */
    void removeIfUnused(String imageId) {
        try {
            JsonNode old = inspect(imageId);
            boolean tagged = false;
            for (JsonNode t : old.path("RepoTags")) {
                tagged |= !t.asText().startsWith("<none>");
            }
            if (tagged || !old.path("Config").path("Labels").has(Names.LABEL_RECIPE)) {
                return; // tagged again, or not ours
            }
            engine.api().json("DELETE", "/images/" + imageId, null);
        } catch (EngineApi.NotFound e) {
            // gone already
        } catch (EngineApi.EngineException e) {
            if (e.status() != 409) {
                progress.println("bot-bottle: could not remove the replaced image " + imageId + ": "
                        + DockerEngine.oneLine(e));
            }
        } catch (RuntimeException e) { // best effort: the build itself succeeded
            progress.println("bot-bottle: could not remove the replaced image " + imageId + ": "
                    + DockerEngine.oneLine(e));
        }
    }
}
