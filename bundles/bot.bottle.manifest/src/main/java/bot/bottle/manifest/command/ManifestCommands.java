package bot.bottle.manifest.command;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import bot.bottle.api.backend.BottleBackend;
import bot.bottle.api.plan.BottlePlan;
import bot.bottle.api.plan.EgressRoute;
import bot.bottle.manifest.core.Catalog;
import bot.bottle.manifest.core.FileSummary;
import bot.bottle.manifest.core.ManifestException;
import bot.bottle.manifest.core.ManifestFile;
import bot.bottle.manifest.core.ManifestParser;
import bot.bottle.manifest.core.PlanBuilder;
import bot.bottle.manifest.core.PlanJson;
import bot.bottle.manifest.core.Problem;
import bot.bottle.manifest.core.ProviderCatalog;
import bot.bottle.manifest.core.RoutesYaml;

/**
 * The work behind {@code start}, {@code list}, {@code info}, {@code init} and {@code edit}, in plain
 * Java: the caller passes the home, the working directory, the providers and the backends it sees.
 */
public final class ManifestCommands {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Catalog catalog;
    private final ProviderCatalog providers;
    private final PrintStream out;
    private final PrintStream err;

    public ManifestCommands(Path home, Path cwd, ProviderCatalog providers, PrintStream out, PrintStream err) {
        this.providers = providers;
        this.catalog = new Catalog(home, cwd == null ? null : Catalog.findRepoRoot(cwd),
                new ManifestParser(providers.ids()));
        this.out = out;
        this.err = err;
    }

    public Catalog catalog() {
        return catalog;
    }

    // ------------------------------------------------------------------ start

    /**
     * Plans the agent's bottle; with {@code dryRun} prints the plan and creates nothing, otherwise
     * writes the bottle's state (plan.json, egress/routes.yaml) and runs it on the backend.
     *
     * @param backends the bound backends by id; {@code preferred} picks one when several are bound
     * @return the agent's exit status (0 for a dry run)
     */
    public int start(String agent, boolean dryRun, String format, Map<String, BottleBackend> backends,
            String preferred) {
        checkFormat(format);
        BottlePlan plan = plan(agent, agent + "-" + HexFormat.of().formatHex(randomBytes(3)));
        if (dryRun) {
            if (json(format)) {
                out.print(PlanJson.write(plan));
            } else {
                printPlanText(plan);
            }
            plan.warnings().forEach(w -> err.println("warning: " + w));
            return 0;
        }
        BottleBackend backend = chooseBackend(backends, preferred);
        plan.warnings().forEach(w -> err.println("warning: " + w));
        writeState(plan);
        if (System.getenv("BOT_BOTTLE_TIMING") != null) {
            err.println("bot-bottle: timing planned and state written at "
                    + java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() + " ms of the JVM");
        }
        int status;
        try {
            // Read right before the launch and handed straight to the backend: never stored here.
            Map<String, String> credentials = hostCredentials(plan);
            status = backend.run(plan, credentials);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new CommandFailure(1, "backend " + backend.id() + " failed: " + e.getMessage());
        }
        if (status != 0) {
            throw new CommandFailure(status, "agent " + agent + " exited with status " + status);
        }
        return status;
    }

    private Map<String, String> hostCredentials(BottlePlan plan) {
        if (!plan.provider().forwardHostCredentials()) {
            return Map.of();
        }
        try {
            return providers.hostCredentials(plan.provider().id(), PlanBuilder.request(plan));
        } catch (IllegalStateException e) {
            throw new CommandFailure(1, "provider " + plan.provider().id() + ": " + e.getMessage());
        }
    }

    static BottleBackend chooseBackend(Map<String, BottleBackend> backends, String preferred) {
        if (backends.isEmpty()) {
            throw new CommandFailure(CommandFailure.NO_BACKEND,
                    "no backend bundle is installed (install one, e.g. bot.bottle.backend.docker, or use --dry-run)");
        }
        if (preferred != null && !preferred.isBlank()) {
            BottleBackend b = backends.get(preferred);
            if (b == null) {
                throw new CommandFailure(CommandFailure.NO_BACKEND, "backend \"" + preferred
                        + "\" is not installed (installed: " + String.join(", ", new java.util.TreeSet<>(backends.keySet())) + ")");
            }
            return b;
        }
        if (backends.size() > 1) {
            throw new CommandFailure(CommandFailure.NO_BACKEND, "several backends are installed ("
                    + String.join(", ", new java.util.TreeSet<>(backends.keySet())) + "); choose one with bot.bottle.backend");
        }
        return backends.values().iterator().next();
    }

    /** {@code <home>/state/<slug>/plan.json} and {@code egress/routes.yaml}, written atomically, 0600. */
    void writeState(BottlePlan plan) {
        Path dir = catalog.home().resolve("state").resolve(plan.slug());
        writeAtomically(dir.resolve("plan.json"), PlanJson.write(plan), true);
        writeAtomically(dir.resolve("egress").resolve("routes.yaml"), RoutesYaml.render(plan.egress()), true);
    }

    BottlePlan plan(String agent, String slug) {
        try {
            return new PlanBuilder(catalog, providers).plan(agent, slug);
        } catch (ManifestException e) {
            throw refused(e);
        }
    }

    /** Prints every problem, then fails with the one-line summary. */
    private CommandFailure refused(ManifestException e) {
        if (e.problems().size() > 1) {
            err.println(e.report());
        }
        return new CommandFailure(CommandFailure.MANIFEST, e.getMessage());
    }

    private void printPlanText(BottlePlan p) {
        out.println("agent     " + p.agent() + "  (" + p.sources().get(0) + ")");
        out.println("bottle    " + p.bottle() + "  (" + String.join(" <- ", reversed(p.sources().subList(1, p.sources().size()))) + ")");
        out.println("provider  " + p.provider().id() + " [" + p.provider().source() + "]"
                + (p.provider().authTokenRef().isEmpty() ? "" : ", token from $" + p.provider().authTokenRef())
                + (p.provider().forwardHostCredentials() ? ", host credentials forwarded" : ""));
        out.println("image     " + p.image().tag() + (p.image().dockerfile().isEmpty() ? "" : " from " + p.image().dockerfile()));
        out.println("supervise " + (p.supervise() ? "on" : "off"));
        out.println("egress    log " + p.egress().log());
        for (EgressRoute r : p.egress().routes()) {
            out.println("  " + r.host() + "  " + r.origin()
                    + (r.authScheme().isEmpty() ? "" : ", " + r.authScheme() + " from " + r.tokenEnv())
                    + (r.matches().isEmpty() ? "" : ", " + r.matches().size() + " match rule(s)")
                    + (r.gitFetch() ? ", git fetch" : "")
                    + ", on match: " + r.outboundOnMatch());
        }
        p.tokenSlots().forEach(t -> out.println("token     $" + t.tokenRef() + " -> sidecar " + t.slot()));
        p.gitRepos().forEach(g -> out.println("git repo  " + g.name() + " -> " + g.upstream()));
        if (!p.env().isEmpty()) {
            out.println("env       " + String.join(", ", p.env().keySet()));
        }
        if (!p.skills().isEmpty()) {
            out.println("skills    " + String.join(", ", p.skills()));
        }
    }

    private static List<String> reversed(List<String> l) {
        List<String> r = new ArrayList<>(l);
        java.util.Collections.reverse(r);
        return r;
    }

    // ------------------------------------------------------------------- list

    /** Agents and bottles, where each came from, and whether each parses. */
    /**
     * {@code list --running}: the bottles every bound backend has resources for (running,
     * sidecar-down, exited, ...), one line each, or a JSON array.
     */
    public void listRunning(String format, Map<String, BottleBackend> backends) {
        checkFormat(format);
        List<bot.bottle.api.backend.BottleStatus> all = new ArrayList<>();
        for (BottleBackend b : backends.values()) {
            all.addAll(b.list());
        }
        if (json(format)) {
            ArrayNode a = JsonNodeFactory.instance.arrayNode();
            for (bot.bottle.api.backend.BottleStatus st : all) {
                a.addObject().put("slug", st.slug()).put("backend", st.backend()).put("state", st.state());
            }
            out.print(write(a));
            return;
        }
        if (all.isEmpty()) {
            out.println(backends.isEmpty() ? "no backend bundle is installed, so no bottle can run" : "no bottles running");
            return;
        }
        out.println(String.format("%-32s %-14s %s", "SLUG", "STATE", "BACKEND"));
        for (bot.bottle.api.backend.BottleStatus st : all) {
            out.println(String.format("%-32s %-14s %s", st.slug(), st.state(), st.backend()));
        }
    }

    public void list(String format) {
        checkFormat(format);
        List<FileSummary> agents = catalog.agents().stream().map(catalog::summary).collect(Collectors.toList());
        List<FileSummary> bottles = catalog.bottles().stream().map(catalog::summary).collect(Collectors.toList());
        List<Path> ignored = catalog.ignoredRepoBottles();
        if (json(format)) {
            ObjectNode root = JsonNodeFactory.instance.objectNode();
            root.put("home", catalog.home().toString());
            root.put("repository", catalog.repoRoot() == null ? null : catalog.repoRoot().toString());
            ArrayNode a = root.putArray("agents");
            for (FileSummary s : agents) {
                ObjectNode o = entry(a, s);
                o.put("bottle", s.bottle());
            }
            ArrayNode b = root.putArray("bottles");
            for (FileSummary s : bottles) {
                ObjectNode o = entry(b, s);
                o.put("provider", s.template());
                ArrayNode ext = o.putArray("extends");
                s.extendsNames().forEach(ext::add);
            }
            ArrayNode ig = root.putArray("ignored_repository_bottles");
            ignored.forEach(p -> ig.add(p.toString()));
            out.print(write(root));
            return;
        }
        out.println("AGENTS (" + catalog.agentsDir() + (catalog.repoAgentsDir() != null ? ", " + catalog.repoAgentsDir() : "") + ")");
        if (agents.isEmpty()) {
            out.println("  (none)");
        }
        for (FileSummary s : agents) {
            out.println(String.format(Locale.ROOT, "  %-20s %-5s %-32s %s", s.file().name(), s.file().source().word(),
                    s.file().display(), s.problems().isEmpty() ? "bottle " + s.bottle() : status(s)));
        }
        out.println("BOTTLES (" + catalog.bottlesDir() + ")");
        if (bottles.isEmpty()) {
            out.println("  (none)");
        }
        for (FileSummary s : bottles) {
            String what = s.problems().isEmpty()
                    ? (s.template().isEmpty() ? "" : "provider " + s.template())
                            + (s.extendsNames().isEmpty() ? "" : (s.template().isEmpty() ? "" : ", ")
                                    + "extends " + String.join(", ", s.extendsNames()))
                    : status(s);
            out.println(String.format(Locale.ROOT, "  %-20s %-5s %-32s %s", s.file().name(), s.file().source().word(),
                    s.file().display(), what));
        }
        for (Path p : ignored) {
            out.println("ignored: " + p + " (bottles load only from " + catalog.bottlesDir() + ")");
        }
    }

    private static ObjectNode entry(ArrayNode arr, FileSummary s) {
        ObjectNode o = arr.addObject();
        o.put("name", s.file().name());
        o.put("source", s.file().source().word());
        o.put("file", s.file().display());
        o.put("path", s.file().path().toString());
        o.put("ok", s.problems().isEmpty());
        ArrayNode ps = o.putArray("problems");
        s.problems().forEach(p -> ps.add(p.toString()));
        return o;
    }

    private static String status(FileSummary s) {
        Problem first = s.problems().get(0);
        return "INVALID: " + first + (s.problems().size() > 1 ? " (and " + (s.problems().size() - 1) + " more)" : "");
    }

    // ------------------------------------------------------------------- info

    /** What starting the agent would do, without starting it. */
    public void info(String agent, String format) {
        checkFormat(format);
        BottlePlan p = plan(agent, agent + "-info");
        if (json(format)) {
            out.print(PlanJson.write(p));
            return;
        }
        printPlanText(p);
        if (!p.prompt().isEmpty()) {
            out.println("prompt");
            p.prompt().lines().forEach(l -> out.println("  " + l));
        }
        p.warnings().forEach(w -> out.println("warning: " + w));
    }

    // ------------------------------------------------------------------- init

    /**
     * Asks for an agent and a bottle, one answer per line ({@code in} may be a terminal or a pipe), and
     * writes both after validating them. An existing bottle of the chosen name is used as is.
     */
    public void init(BufferedReader in) throws IOException {
        Prompter q = new Prompter(in, out);
        String agent = q.ask("Agent name", "dev", v -> name(v) ? null : "use letters, digits, _ . - (at most 64)");
        if (!catalog.findByName(agent).stream().filter(f -> f.kind() == ManifestFile.Kind.AGENT).toList().isEmpty()) {
            throw new CommandFailure(CommandFailure.USAGE, "agent \"" + agent + "\" already exists; use edit " + agent);
        }
        String bottle = q.ask("Bottle name", agent, v -> name(v) ? null : "use letters, digits, _ . - (at most 64)");
        Path bottleFile = catalog.bottlesDir().resolve(bottle + ".md");
        String bottleText = null;
        if (Files.exists(bottleFile)) {
            out.println("Using the existing bottle " + bottleFile);
        } else {
            List<String> ids = new ArrayList<>(providers.ids());
            java.util.Collections.sort(ids);
            String provider = q.ask("Provider (" + String.join(", ", ids) + ")", ids.contains("claude") ? "claude" : ids.get(0),
                    v -> ids.contains(v) ? null : "choose one of " + String.join(", ", ids));
            String defaultToken = switch (provider) {
                case "claude" -> "BOT_BOTTLE_CLAUDE_OAUTH_TOKEN";
                case "gemini" -> "BOT_BOTTLE_GEMINI_API_KEY";
                case "codex" -> "BOT_BOTTLE_OPENAI_API_KEY";
                default -> "";
            };
            String token = q.ask("Host variable holding the provider's token (- for none)", defaultToken,
                    v -> v.equals("-") || v.matches("[A-Za-z_][A-Za-z0-9_]*") ? null : "give a variable NAME, not its value");
            String hosts = q.ask("Other hosts the agent may reach, comma-separated (- for none)", "-", v -> {
                if (v.equals("-")) {
                    return null;
                }
                for (String h : v.split(",")) {
                    if (!h.strip().matches("[A-Za-z0-9.-]+")) {
                        return "not a host name: " + h.strip();
                    }
                }
                return null;
            });
            String supervise = q.ask("Supervise (hold DLP matches and new-host requests for your approval)? y/n", "y",
                    v -> v.equals("y") || v.equals("n") ? null : "answer y or n");
            StringBuilder b = new StringBuilder("---\n# Created by bot-bottle init. Schema: docs/manifest.md\n");
            b.append("agent_provider:\n  template: ").append(provider).append('\n');
            if (!token.equals("-")) {
                b.append("  auth_token: ").append(token).append('\n');
            }
            if (!hosts.equals("-")) {
                b.append("egress:\n  routes:\n");
                for (String h : hosts.split(",")) {
                    b.append("    - host: ").append(h.strip()).append('\n');
                }
            }
            b.append("supervise: ").append(supervise.equals("y")).append('\n');
            b.append("---\nThe ").append(bottle).append(" bottle.\n");
            bottleText = b.toString();
        }
        String prompt = q.ask("The agent's prompt (one line)", "You are a careful software engineer.", v -> null);
        String agentText = "---\nbottle: " + bottle + "\n---\n" + prompt + "\n";

        ManifestFile bf = new ManifestFile(ManifestFile.Kind.BOTTLE, bottle, bottleFile, "bottles/" + bottle + ".md",
                ManifestFile.Source.HOME);
        Path agentFile = catalog.agentsDir().resolve(agent + ".md");
        ManifestFile af = new ManifestFile(ManifestFile.Kind.AGENT, agent, agentFile, "agents/" + agent + ".md",
                ManifestFile.Source.HOME);
        try {
            if (bottleText != null) {
                catalog.checkText(bf, bottleText.getBytes(StandardCharsets.UTF_8));
                writeAtomically(bottleFile, bottleText, false);
            }
            catalog.checkText(af, agentText.getBytes(StandardCharsets.UTF_8));
            writeAtomically(agentFile, agentText, false);
        } catch (ManifestException e) {
            throw refused(e);
        }
        if (bottleText != null) {
            out.println("wrote " + bottleFile);
        }
        out.println("wrote " + agentFile);
        out.println("check it with: bot-bottle start " + agent + " --dry-run");
    }

    private static boolean name(String v) {
        return v.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    }

    // ------------------------------------------------------------------- edit

    /**
     * Opens a copy of the named file in {@code editor}; when the edited copy validates it replaces the
     * file atomically, otherwise the file is kept and the problems (and where the edit was saved) are
     * reported.
     *
     * @param kind    "agent", "bottle" or "" (any, when the name is unambiguous)
     * @param editor  the editor command line ({@code $VISUAL}/{@code $EDITOR}), split on spaces
     */
    public void edit(String name, String kind, String editor) throws IOException, InterruptedException {
        List<ManifestFile> found = catalog.findByName(name).stream()
                .filter(f -> kind.isEmpty() || f.kind().word().equals(kind)).collect(Collectors.toList());
        if (found.isEmpty()) {
            throw new CommandFailure(CommandFailure.USAGE, "no " + (kind.isEmpty() ? "agent or bottle" : kind) + " named \""
                    + name + "\" (see bot-bottle list)");
        }
        if (found.size() > 1) {
            throw new CommandFailure(CommandFailure.USAGE, "\"" + name + "\" names "
                    + found.stream().map(ManifestFile::display).collect(Collectors.joining(" and "))
                    + "; choose one with --kind agent|bottle");
        }
        ManifestFile f = found.get(0);
        byte[] before = Files.readAllBytes(f.path());
        Path dir = Files.createTempDirectory("bot-bottle-edit");
        Path copy = dir.resolve(f.name() + ".md");
        Files.write(copy, before);
        List<String> cmd = new ArrayList<>(Arrays.asList(editor.strip().split("\\s+")));
        cmd.add(copy.toString());
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        if (!p.waitFor(24, TimeUnit.HOURS)) {
            p.destroyForcibly();
        }
        if (p.exitValue() != 0) {
            throw new CommandFailure(1, "editor " + cmd.get(0) + " exited with status " + p.exitValue() + "; "
                    + f.display() + " is unchanged (your copy: " + copy + ")");
        }
        byte[] after = Files.readAllBytes(copy);
        if (Arrays.equals(before, after)) {
            out.println("no changes to " + f.display());
            deleteQuietly(copy, dir);
            return;
        }
        try {
            catalog.checkText(f, after);
        } catch (ManifestException e) {
            err.println(e.report());
            throw new CommandFailure(CommandFailure.MANIFEST, f.display() + " kept unchanged: the edit has "
                    + e.problems().size() + " problem(s); your edit is saved in " + copy);
        }
        writeAtomically(f.path(), new String(after, StandardCharsets.UTF_8), true);
        deleteQuietly(copy, dir);
        out.println("saved " + f.display());
    }

    private static void deleteQuietly(Path file, Path dir) {
        try {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a leftover temp copy is harmless
        }
    }

    // ---------------------------------------------------------------- helpers

    /** Temp file in the same folder, then a rename: readers see the old file or the new one, whole. */
    static void writeAtomically(Path target, String text, boolean replace) {
        try {
            Files.createDirectories(target.getParent());
            if (!replace && Files.exists(target)) {
                throw new CommandFailure(CommandFailure.USAGE, target + " already exists");
            }
            Path tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
            try {
                Files.writeString(tmp, text, StandardCharsets.UTF_8);
                try {
                    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException e) {
                    // not a POSIX file system: keep the default permissions
                }
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new CommandFailure(1, "cannot write " + target + ": " + e.getMessage());
        }
    }

    private static void checkFormat(String format) {
        if (!"text".equals(format) && !"json".equals(format)) {
            throw new CommandFailure(CommandFailure.USAGE, "--format must be text or json, got \"" + format + "\"");
        }
    }

    private static boolean json(String format) {
        return "json".equals(format);
    }

    private static String write(com.fasterxml.jackson.databind.JsonNode node) {
        try {
            return JSON.writeValueAsString(node) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
