package bot.bottle.manifest.core;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import bot.bottle.api.agent.ProviderRequest;
import bot.bottle.api.agent.ProviderRoute;
import bot.bottle.api.agent.ProviderSetup;
import bot.bottle.api.plan.BottlePlan;
import bot.bottle.api.plan.CanarySlot;
import bot.bottle.api.plan.EgressPlan;
import bot.bottle.api.plan.EgressRoute;
import bot.bottle.api.plan.GitRepo;
import bot.bottle.api.plan.GitUser;
import bot.bottle.api.plan.ImageRecipe;
import bot.bottle.api.plan.Mount;
import bot.bottle.api.plan.Networks;
import bot.bottle.api.plan.ProviderPlan;
import bot.bottle.api.plan.TokenSlot;
import bot.bottle.manifest.core.Specs.Val;

/**
 * Resolves an agent, its composed bottle and its provider's contribution into one {@link BottlePlan}.
 * Everything that can only be checked with all three together is checked here, with the file and line
 * of the value that has to change.
 */
public final class PlanBuilder {

    /** The supervise MCP server as the agent reaches it (the sidecar's alias on the internal network). */
    public static final String SUPERVISE_URL = "http://sidecar:9100/mcp";
    /** Where skills appear in the agent container. */
    public static final String SKILLS_TARGET = "/etc/bot-bottle/skills/";
    /** Prefix of the sidecar variables token slots are named with. */
    public static final String TOKEN_SLOT_PREFIX = "EGRESS_TOKEN_";

    private final Catalog catalog;
    private final ProviderCatalog providers;

    public PlanBuilder(Catalog catalog, ProviderCatalog providers) {
        this.catalog = catalog;
        this.providers = providers;
    }

    /**
     * The plan for agent {@code agentName}.
     *
     * @param slug the bottle instance's slug (the caller makes it unique for real runs)
     * @throws ManifestException listing every problem in the agent, its bottle chain or the plan
     */
    public BottlePlan plan(String agentName, String slug) {
        Specs.Agent agent = catalog.agent(agentName);
        ResolvedBottle rb = catalog.bottle(agent.bottle().value(), agent.bottle().loc());
        return build(agent, rb, slug);
    }

    /** The request the plan's provider was asked with, again: for the launch-time host credentials. */
    public static ProviderRequest request(BottlePlan plan) {
        return new ProviderRequest(plan.provider().authTokenRef(), plan.provider().forwardHostCredentials(),
                plan.supervise() ? SUPERVISE_URL : "", plan.prompt());
    }

    BottlePlan build(Specs.Agent agent, ResolvedBottle rb, String slug) {
        Specs.Bottle b = rb.merged();
        Problems problems = new Problems();
        List<String> warnings = new ArrayList<>();
        Loc bottleTop = new Loc(b.file().display(), 1, "");

        Val<String> template = b.provider().template();
        if (template == null) {
            problems.add(bottleTop.at("agent_provider.template"), "missing required key (not set by bottle \""
                    + b.name() + "\"" + (rb.chain().size() > 1 ? " or the bottles it extends" : "") + ")");
            problems.throwIfAny();
        }
        String providerId = template.value();
        boolean supervise = b.supervise() == null || b.supervise().value();
        String authRef = b.provider().authToken() == null ? "" : b.provider().authToken().value();
        boolean fwd = b.provider().forwardHostCredentials() != null && b.provider().forwardHostCredentials().value();

        ProviderCatalog.Setup ps;
        try {
            ps = providers.setup(providerId, new ProviderRequest(authRef, fwd, supervise ? SUPERVISE_URL : "", agent.prompt()));
        } catch (RuntimeException e) {
            throw new ManifestException(template.loc().problem("provider " + providerId + " failed: "
                    + SafeYaml.oneLine(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())));
        }
        if (ps == null || ps.setup() == null) {
            throw new ManifestException(template.loc().problem("unknown provider \"" + providerId + "\""));
        }
        ProviderSetup setup = ps.setup();
        String pfile = "provider:" + providerId;

        // Routes: provider routes claim their hosts; manifest routes fill the rest.
        List<Draft> drafts = new ArrayList<>();
        Set<String> providerHosts = new LinkedHashSet<>();
        int i = 0;
        for (ProviderRoute pr : setup.routes()) {
            String path = "routes[" + i++ + "]";
            Loc loc = new Loc(pfile, 0, path);
            String host = pr.host() == null ? "" : pr.host().toLowerCase(java.util.Locale.ROOT);
            if (!ManifestParser.validHost(host)) {
                problems.add(loc.at(path + ".host"), "not a valid host name: " + Walker.quote(host));
                continue;
            }
            if (!providerHosts.add(host)) {
                problems.add(loc.at(path + ".host"), "duplicate host " + Walker.quote(host));
                continue;
            }
            String scheme = pr.authScheme() == null ? "" : pr.authScheme();
            String ref = pr.tokenRef() == null ? "" : pr.tokenRef();
            if (!scheme.isEmpty() && !scheme.equals("Bearer") && !scheme.equals("token")) {
                problems.add(loc.at(path + ".auth_scheme"), "expected Bearer|token, got " + Walker.quote(scheme));
                continue;
            }
            if (scheme.isEmpty() != ref.isEmpty() || !ref.isEmpty() && !ManifestParser.ENV_NAME.matcher(ref).matches()) {
                problems.add(loc.at(path + ".token_ref"), "an auth scheme needs a token variable name and vice versa");
                continue;
            }
            String onMatch = pr.outboundOnMatch() == null || pr.outboundOnMatch().isEmpty() ? "redact"
                    : pr.outboundOnMatch();
            if (!ManifestParser.ON_MATCH.contains(onMatch)) {
                problems.add(loc.at(path + ".outbound_on_match"), "expected block|redact|supervise, got "
                        + Walker.quote(onMatch));
                continue;
            }
            if (onMatch.equals("supervise") && !supervise) {
                onMatch = "block";
            }
            drafts.add(new Draft(host, "provider:" + providerId, scheme, ref, List.of(), false, null, null, onMatch));
        }
        for (Specs.Route r : b.routes()) {
            if (providerHosts.contains(r.host())) {
                warnings.add(r.loc() .file() + ":" + r.loc().line() + ": " + r.loc().path() + ": route for "
                        + r.host() + " is replaced by provider " + providerId + "'s route");
                continue;
            }
            String onMatch;
            if (r.outboundOnMatch() != null) {
                onMatch = r.outboundOnMatch().value();
                if (onMatch.equals("supervise") && !supervise) {
                    problems.add(r.outboundOnMatch().loc(), "supervise needs the supervise sidecar, but the bottle"
                            + " sets supervise: false");
                }
            } else {
                // With no supervisor a held request could never be approved: block instead.
                onMatch = supervise ? "supervise" : "block";
            }
            drafts.add(new Draft(r.host(), "manifest", r.auth() == null ? "" : r.auth().scheme(),
                    r.auth() == null ? "" : r.auth().tokenRef(), r.matches(),
                    r.gitFetch() != null && r.gitFetch(), r.outbound(), r.inbound(), onMatch));
        }

        // Token slots: one per distinct host variable, numbered in route order.
        Map<String, String> slots = new LinkedHashMap<>();
        List<EgressRoute> routes = new ArrayList<>();
        for (Draft d : drafts) {
            String slot = "";
            if (!d.tokenRef.isEmpty()) {
                slot = slots.computeIfAbsent(d.tokenRef, k -> TOKEN_SLOT_PREFIX + (slots.size() + 1));
            }
            routes.add(new EgressRoute(d.host, d.origin, d.scheme, slot, d.matches, d.gitFetch, d.outbound,
                    d.inbound, d.onMatch));
        }
        List<TokenSlot> tokenSlots = new ArrayList<>();
        slots.forEach((ref, slot) -> tokenSlots.add(new TokenSlot(slot, ref)));

        // Env: the bottle's, then the provider's placeholders; a name both set is refused.
        Map<String, String> env = new LinkedHashMap<>();
        b.env().forEach((k, v) -> env.put(k, v.value()));
        for (Map.Entry<String, String> e : setup.env().entrySet()) {
            if (ManifestParser.reservedEnv(e.getKey()) || !ManifestParser.ENV_NAME.matcher(e.getKey()).matches()) {
                problems.add(new Loc(pfile, 0, "env." + e.getKey()), "reserved or invalid variable name");
            } else if (b.env().containsKey(e.getKey())) {
                problems.add(b.env().get(e.getKey()).loc(), "set by provider " + providerId
                        + "; remove it from the bottle");
            } else {
                env.put(e.getKey(), e.getValue());
            }
        }

        // Skills: the bottle's then the agent's, each a folder under <home>/skills.
        List<Val<String>> skillVals = new ArrayList<>(b.skills());
        for (Val<String> s : agent.skills()) {
            if (skillVals.stream().noneMatch(x -> x.value().equals(s.value()))) {
                skillVals.add(s);
            }
        }
        List<String> skills = new ArrayList<>();
        List<Mount> mounts = new ArrayList<>();
        for (Val<String> s : skillVals) {
            Path dir = catalog.home().resolve("skills").resolve(s.value());
            if (!Files.isDirectory(dir)) {
                problems.add(s.loc(), "no skill folder " + dir);
                continue;
            }
            skills.add(s.value());
            mounts.add(new Mount(dir.toString(), SKILLS_TARGET + s.value(), true));
        }

        ImageRecipe image;
        Val<Path> df = b.provider().dockerfile();
        if (df != null) {
            if (!Files.isRegularFile(df.value())) {
                problems.add(df.loc(), "file not found: " + df.value());
            }
            image = new ImageRecipe("dockerfile", df.value().toString(), "", "bot-bottle-agent-" + b.name() + ":latest");
        } else {
            image = new ImageRecipe("provider", "", setup.dockerfile(), "bot-bottle-agent-" + providerId + ":latest");
        }

        List<GitRepo> repos = new ArrayList<>();
        for (Specs.GitRepo r : b.repos().values()) {
            for (Val<Path> p : new ArrayList<>(java.util.Arrays.asList(r.sshKey(), r.knownHosts()))) {
                if (p != null && !Files.isRegularFile(p.value())) {
                    problems.add(p.loc(), "file not found: " + p.value());
                }
            }
            repos.add(new GitRepo(r.name(), r.upstream(), r.sshKey() == null ? "" : r.sshKey().value().toString(),
                    r.knownHosts() == null ? "" : r.knownHosts().value().toString()));
        }

        problems.throwIfAny();

        List<String> sources = new ArrayList<>();
        sources.add(agent.file().display());
        rb.chain().forEach(f -> sources.add(f.display()));
        return BottlePlan.builder()
                .slug(slug).agent(agent.name()).bottle(b.name()).sources(sources)
                .provider(new ProviderPlan(providerId, ps.source(), authRef, fwd))
                .image(image)
                .networks(Networks.forSlug(slug))
                .env(env)
                .mounts(mounts)
                .egress(new EgressPlan(b.log() == null ? "off" : b.log().value(), routes))
                .tokenSlots(tokenSlots)
                .gitRepos(repos)
                .gitUser(b.gitUser() == null ? null : new GitUser(b.gitUser().name(), b.gitUser().email()))
                .supervise(supervise)
                .canary(CanarySlot.DEFAULT)
                .skills(skills)
                .prompt(agent.prompt())
                .setupCommands(setup.setupCommands())
                .command(setup.command())
                .warnings(warnings)
                .build();
    }

    private record Draft(String host, String origin, String scheme, String tokenRef,
            List<bot.bottle.api.plan.MatchRule> matches, boolean gitFetch, List<String> outbound,
            List<String> inbound, String onMatch) {
    }
}
