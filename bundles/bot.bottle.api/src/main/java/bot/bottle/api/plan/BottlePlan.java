package bot.bottle.api.plan;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The resolved plan of one bottle: everything a backend needs to run it, and nothing secret (token
 * names and placeholders only, never values). Immutable; build one with {@link #builder()}.
 *
 * @param slug          the bottle instance's slug (state directory name, container name suffix)
 * @param agent         the agent's name
 * @param bottle        the bottle's name
 * @param sources       where the plan came from, in load order: the agent file, then the bottle files
 *                      from the root of the {@code extends} chain to the bottle itself
 * @param provider      the agent provider and how it authenticates
 * @param image         the agent image recipe
 * @param networks      the network names the backend creates for this bottle
 * @param env           environment for the agent container (placeholders only), sorted by name
 * @param mounts        host paths mounted into the agent container
 * @param egress        the egress proxy's configuration (rendered to {@code routes.yaml})
 * @param tokenSlots    which host variable the launcher copies into which sidecar variable
 * @param gitRepos      repositories served through the git gate
 * @param gitUser       the commit identity inside the bottle, or {@code null} when the bottle sets none
 * @param supervise     whether the supervise sidecar (MCP server and approval queue) runs
 * @param canary        the canary's variable names (the launcher generates the value per bottle)
 * @param skills        skill names mounted into the agent, in order
 * @param prompt        the agent's prompt (the agent file's markdown body)
 * @param setupCommands commands the provider runs in the agent container before the agent starts
 * @param command       the agent's command line, empty when the provider gives none
 * @param warnings      things the user should know that are not errors (e.g. a route replaced by a
 *                      provider route), one line each
 */
public record BottlePlan(String slug, String agent, String bottle, List<String> sources,
        ProviderPlan provider, ImageRecipe image, Networks networks, Map<String, String> env,
        List<Mount> mounts, EgressPlan egress, List<TokenSlot> tokenSlots, List<GitRepo> gitRepos,
        GitUser gitUser, boolean supervise, CanarySlot canary, List<String> skills, String prompt,
        List<String> setupCommands, List<String> command, List<String> warnings) {

    public BottlePlan {
        Objects.requireNonNull(slug, "slug");
        Objects.requireNonNull(agent, "agent");
        Objects.requireNonNull(bottle, "bottle");
        sources = List.copyOf(sources);
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(networks, "networks");
        env = Plans.sortedMap(env);
        mounts = List.copyOf(mounts);
        Objects.requireNonNull(egress, "egress");
        tokenSlots = List.copyOf(tokenSlots);
        gitRepos = List.copyOf(gitRepos);
        Objects.requireNonNull(canary, "canary");
        skills = List.copyOf(skills);
        prompt = Objects.requireNonNullElse(prompt, "");
        setupCommands = List.copyOf(setupCommands);
        command = List.copyOf(command);
        warnings = List.copyOf(warnings);
    }

    /** A builder, so adding a component later does not break callers. */
    public static Builder builder() {
        return new Builder();
    }

    /** Mutable builder for {@link BottlePlan}; every list and map defaults to empty. */
    public static final class Builder {
        private String slug;
        private String agent;
        private String bottle;
        private List<String> sources = List.of();
        private ProviderPlan provider;
        private ImageRecipe image;
        private Networks networks;
        private Map<String, String> env = Map.of();
        private List<Mount> mounts = List.of();
        private EgressPlan egress = new EgressPlan("off", List.of());
        private List<TokenSlot> tokenSlots = List.of();
        private List<GitRepo> gitRepos = List.of();
        private GitUser gitUser;
        private boolean supervise = true;
        private CanarySlot canary = CanarySlot.DEFAULT;
        private List<String> skills = List.of();
        private String prompt = "";
        private List<String> setupCommands = List.of();
        private List<String> command = List.of();
        private List<String> warnings = List.of();

        private Builder() {
        }

        public Builder slug(String v) { slug = v; return this; }
        public Builder agent(String v) { agent = v; return this; }
        public Builder bottle(String v) { bottle = v; return this; }
        public Builder sources(List<String> v) { sources = v; return this; }
        public Builder provider(ProviderPlan v) { provider = v; return this; }
        public Builder image(ImageRecipe v) { image = v; return this; }
        public Builder networks(Networks v) { networks = v; return this; }
        public Builder env(Map<String, String> v) { env = v; return this; }
        public Builder mounts(List<Mount> v) { mounts = v; return this; }
        public Builder egress(EgressPlan v) { egress = v; return this; }
        public Builder tokenSlots(List<TokenSlot> v) { tokenSlots = v; return this; }
        public Builder gitRepos(List<GitRepo> v) { gitRepos = v; return this; }
        public Builder gitUser(GitUser v) { gitUser = v; return this; }
        public Builder supervise(boolean v) { supervise = v; return this; }
        public Builder canary(CanarySlot v) { canary = v; return this; }
        public Builder skills(List<String> v) { skills = v; return this; }
        public Builder prompt(String v) { prompt = v; return this; }
        public Builder setupCommands(List<String> v) { setupCommands = v; return this; }
        public Builder command(List<String> v) { command = v; return this; }
        public Builder warnings(List<String> v) { warnings = v; return this; }

        public BottlePlan build() {
            if (networks == null && slug != null) {
                networks = Networks.forSlug(slug);
            }
            return new BottlePlan(slug, agent, bottle, sources, provider, image, networks, env, mounts,
                    egress, tokenSlots, gitRepos, gitUser, supervise, canary, skills, prompt,
                    setupCommands, command, warnings);
        }
    }
}
