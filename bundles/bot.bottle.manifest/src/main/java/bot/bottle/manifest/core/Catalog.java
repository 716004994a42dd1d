package bot.bottle.manifest.core;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import bot.bottle.manifest.core.ManifestFile.Kind;
import bot.bottle.manifest.core.ManifestFile.Source;
import bot.bottle.manifest.core.Specs.Val;

/**
 * Finds and loads manifests, and is where the trust boundary is enforced: bottles load only from
 * {@code <home>/bottles/*.md}; agents from {@code <home>/agents/*.md} and from the current
 * repository's {@code <repo>/.bot-bottle/agents/*.md}. A repository agent may only name a home bottle;
 * the parser refuses every bottle key in it, and a repository agent may not shadow a home agent.
 */
public final class Catalog {

    /** Folder inside a repository that may hold agents (and nothing else this bundle reads). */
    public static final String REPO_DIR = ".bot-bottle";
    /** How deep an extends chain may go. */
    static final int MAX_EXTENDS_DEPTH = 8;

    private final Path home;
    private final Path repoRoot;
    private final ManifestParser parser;

    /**
     * @param home     the bot-bottle home ({@code $BOT_BOTTLE_HOME}, {@code ~/.bot-bottle})
     * @param repoRoot the current repository's top level, or {@code null} outside a repository
     * @param parser   the parser (carries the known provider ids)
     */
    public Catalog(Path home, Path repoRoot, ManifestParser parser) {
        this.home = home.toAbsolutePath().normalize();
        Path r = repoRoot == null ? null : repoRoot.toAbsolutePath().normalize();
        // When the repository's agents folder is the home's agents folder (home inside a dotfiles
        // repository), scanning it twice would report every agent as shadowed.
        if (r != null && sameFile(r.resolve(REPO_DIR).resolve("agents"), this.home.resolve("agents"))) {
            r = null;
        }
        this.repoRoot = r;
        this.parser = parser;
    }

    /** The top level of the git work tree containing {@code cwd} (a folder with {@code .git}), if any. */
    public static Path findRepoRoot(Path cwd) {
        Path p = cwd.toAbsolutePath().normalize();
        for (int i = 0; p != null && i < 256; i++, p = p.getParent()) {
            if (Files.exists(p.resolve(".git"))) {
                return p;
            }
        }
        return null;
    }

    public Path home() {
        return home;
    }

    public Path bottlesDir() {
        return home.resolve("bottles");
    }

    public Path agentsDir() {
        return home.resolve("agents");
    }

    /** {@code <repo>/.bot-bottle/agents}, or {@code null} outside a repository. */
    public Path repoAgentsDir() {
        return repoRoot == null ? null : repoRoot.resolve(REPO_DIR).resolve("agents");
    }

    public Path repoRoot() {
        return repoRoot;
    }

    public ManifestParser parser() {
        return parser;
    }

    /** Home agents, then repository agents, each sorted by name. */
    public List<ManifestFile> agents() {
        List<ManifestFile> out = new ArrayList<>(scan(agentsDir(), Kind.AGENT, Source.HOME));
        if (repoRoot != null) {
            out.addAll(scan(repoAgentsDir(), Kind.AGENT, Source.REPO));
        }
        return out;
    }

    /** Home bottles, sorted by name. */
    public List<ManifestFile> bottles() {
        return scan(bottlesDir(), Kind.BOTTLE, Source.HOME);
    }

    /** Bottle files a repository ships; never loaded, only reported so the user knows why. */
    public List<Path> ignoredRepoBottles() {
        if (repoRoot == null) {
            return List.of();
        }
        Path dir = repoRoot.resolve(REPO_DIR).resolve("bottles");
        return scan(dir, Kind.BOTTLE, Source.REPO).stream().map(ManifestFile::path).collect(Collectors.toList());
    }

    private List<ManifestFile> scan(Path dir, Kind kind, Source source) {
        List<ManifestFile> out = new ArrayList<>();
        if (dir == null || !Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.md")) {
            for (Path p : ds) {
                if (Files.isRegularFile(p)) {
                    out.add(file(p, kind, source));
                }
            }
        } catch (IOException e) {
            throw new ManifestException(new Problem(dir.toString(), 0, "", "cannot list: " + e.getMessage()));
        }
        out.sort(Comparator.comparing(ManifestFile::name));
        return out;
    }

    private ManifestFile file(Path p, Kind kind, Source source) {
        String fileName = p.getFileName().toString();
        String name = fileName.substring(0, fileName.length() - 3);
        String display = source == Source.HOME
                ? (kind == Kind.AGENT ? "agents/" : "bottles/") + fileName
                : repoRoot.relativize(p).toString();
        return new ManifestFile(kind, name, p, display, source);
    }

    // --------------------------------------------------------------- loading

    /** Parses one file (agent or bottle) without resolving anything it names. */
    public void check(ManifestFile f) {
        byte[] bytes = read(f);
        if (f.kind() == Kind.AGENT) {
            parser.parseAgent(f, bytes);
        } else {
            parser.parseBottle(f, bytes);
        }
    }

    /** Parses one file on its own and says what it names; never throws for a bad file. */
    public FileSummary summary(ManifestFile f) {
        try {
            byte[] bytes = read(f);
            if (f.kind() == Kind.AGENT) {
                Specs.Agent a = parser.parseAgent(f, bytes);
                return new FileSummary(f, a.bottle() == null ? "" : a.bottle().value(), List.of(), "", List.of());
            }
            Specs.Bottle b = parser.parseBottle(f, bytes);
            return new FileSummary(f, "", b.extendsNames().stream().map(Val::value).collect(Collectors.toList()),
                    b.provider().template() == null ? "" : b.provider().template().value(), List.of());
        } catch (ManifestException e) {
            return new FileSummary(f, "", List.of(), "", e.problems());
        }
    }

    /** Finds a file to edit by name: a home agent, a repository agent or a home bottle. */
    public List<ManifestFile> findByName(String name) {
        List<ManifestFile> out = new ArrayList<>();
        if (!ManifestParser.NAME.matcher(name).matches()) {
            return out;
        }
        find(agentsDir(), name, Kind.AGENT, Source.HOME).ifPresent(out::add);
        if (repoRoot != null) {
            find(repoAgentsDir(), name, Kind.AGENT, Source.REPO).ifPresent(out::add);
        }
        find(bottlesDir(), name, Kind.BOTTLE, Source.HOME).ifPresent(out::add);
        return out;
    }

    /** Checks a candidate text as if it were file {@code f} (used by edit before replacing a file). */
    public void checkText(ManifestFile f, byte[] text) {
        if (f.kind() == Kind.AGENT) {
            Specs.Agent a = parser.parseAgent(f, text);
            if (a.bottle() != null) {
                resolveBottle(a.bottle().value(), a.bottle().loc());
            }
        } else {
            Specs.Bottle b = parser.parseBottle(f, text);
            compose(b, new ArrayList<>(List.of(b.name())), 0);
        }
    }

    Specs.Agent agent(String name) {
        if (!ManifestParser.NAME.matcher(name).matches()) {
            throw new ManifestException(new Problem("agents/" + name + ".md", 0, "",
                    "not a valid agent name"));
        }
        Optional<ManifestFile> homeFile = find(agentsDir(), name, Kind.AGENT, Source.HOME);
        Optional<ManifestFile> repoFile = repoRoot == null ? Optional.empty()
                : find(repoAgentsDir(), name, Kind.AGENT, Source.REPO);
        if (homeFile.isPresent() && repoFile.isPresent()) {
            throw new ManifestException(new Problem(repoFile.get().display(), 0, "",
                    "agent \"" + name + "\" is also defined in " + homeFile.get().display()
                            + "; a repository agent cannot shadow a home agent (rename one)"));
        }
        ManifestFile f = homeFile.or(() -> repoFile).orElseThrow(() -> new ManifestException(
                new Problem("agents/" + name + ".md", 0, "", "no such agent (looked in " + agentsDir()
                        + (repoRoot != null ? " and " + repoAgentsDir() : "") + ")")));
        return parser.parseAgent(f, read(f));
    }

    /** The bottle named {@code name}, its extends chain composed. */
    ResolvedBottle bottle(String name, Loc namedAt) {
        return resolveBottle(name, namedAt);
    }

    private ResolvedBottle resolveBottle(String name, Loc namedAt) {
        ManifestFile f = find(bottlesDir(), name, Kind.BOTTLE, Source.HOME)
                .orElseThrow(() -> notFound(name, namedAt, null));
        Specs.Bottle b = parser.parseBottle(f, read(f));
        return compose(b, new ArrayList<>(List.of(name)), 0);
    }

    private ManifestException notFound(String name, Loc namedAt, List<String> chain) {
        StringBuilder msg = new StringBuilder("no bottle \"" + name + "\" in " + bottlesDir());
        if (chain != null) {
            msg.append(" (chain: ").append(String.join(" -> ", chain)).append(" -> ").append(name).append(')');
        }
        if (repoRoot != null && Files.exists(repoRoot.resolve(REPO_DIR).resolve("bottles").resolve(name + ".md"))) {
            msg.append("; ").append(REPO_DIR).append("/bottles/").append(name)
                    .append(".md in the repository is ignored: bottles load only from the bot-bottle home");
        }
        return new ManifestException(namedAt.problem(msg.toString()));
    }

    /** Composes {@code b} over its bases, depth first; {@code chain} holds the names being resolved. */
    private ResolvedBottle compose(Specs.Bottle b, List<String> chain, int depth) {
        if (b.extendsNames().isEmpty()) {
            return new ResolvedBottle(b, List.of(b.file()));
        }
        Problems problems = new Problems();
        Specs.Bottle merged = null;
        List<ManifestFile> files = new ArrayList<>();
        for (Val<String> base : b.extendsNames()) {
            String n = base.value();
            if (chain.contains(n)) {
                List<String> cycle = new ArrayList<>(chain.subList(chain.indexOf(n), chain.size()));
                cycle.add(n);
                problems.add(base.loc(), "cycle: " + String.join(" -> ", cycle));
                continue;
            }
            if (depth + 1 > MAX_EXTENDS_DEPTH) {
                problems.add(base.loc(), "extends chain deeper than " + MAX_EXTENDS_DEPTH + " ("
                        + String.join(" -> ", chain) + " -> " + n + ")");
                continue;
            }
            Optional<ManifestFile> bf = find(bottlesDir(), n, Kind.BOTTLE, Source.HOME);
            if (bf.isEmpty()) {
                problems.addAll(notFound(n, base.loc(), chain).problems());
                continue;
            }
            try {
                Specs.Bottle parsed = parser.parseBottle(bf.get(), read(bf.get()));
                List<String> next = new ArrayList<>(chain);
                next.add(n);
                ResolvedBottle r = compose(parsed, next, depth + 1);
                merged = merged == null ? r.merged() : Composer.merge(merged, r.merged());
                for (ManifestFile mf : r.chain()) {
                    if (!files.contains(mf)) {
                        files.add(mf);
                    }
                }
            } catch (ManifestException e) {
                problems.addAll(e.problems());
            }
        }
        problems.throwIfAny();
        files.add(b.file());
        return new ResolvedBottle(Composer.merge(merged, b), files);
    }

    private static Optional<ManifestFile> find(Path dir, String name, Kind kind, Source source) {
        return Optional.ofNullable(dir)
                .map(d -> d.resolve(name + ".md"))
                .filter(Files::isRegularFile)
                .map(p -> new ManifestFile(kind, name, p, source == Source.HOME
                        ? (kind == Kind.AGENT ? "agents/" : "bottles/") + name + ".md"
                        : REPO_DIR + "/agents/" + name + ".md", source));
    }

    /** Reads a file, refusing oversize files before reading them. */
    static byte[] read(ManifestFile f) {
        try {
            if (Files.size(f.path()) > Frontmatter.MAX_BYTES) {
                throw new ManifestException(new Problem(f.display(), 0, "",
                        "file is larger than " + Frontmatter.MAX_BYTES + " bytes"));
            }
            return Files.readAllBytes(f.path());
        } catch (IOException e) {
            throw new ManifestException(new Problem(f.display(), 0, "", "cannot read: " + e.getMessage()));
        }
    }

    private static boolean sameFile(Path a, Path b) {
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }
}
