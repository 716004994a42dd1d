package bot.bottle.manifest.core;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import bot.bottle.api.agent.AgentProvider;
import bot.bottle.api.agent.ProviderRequest;
import bot.bottle.api.agent.ProviderSetup;

/**
 * The agent providers a manifest may name and what each contributes. The OSGi layer passes in the
 * bound {@link AgentProvider} services; the core never looks services up itself.
 */
public interface ProviderCatalog {

    /** A provider's contribution and where it came from ({@code service} or {@code builtin}). */
    record Setup(String source, ProviderSetup setup) {
    }

    /** Every id {@code agent_provider.template} may name. */
    Set<String> ids();

    /**
     * What provider {@code id} contributes, or {@code null} when the id is unknown.
     *
     * @throws RuntimeException when the provider fails; the plan builder reports it
     */
    Setup setup(String id, ProviderRequest request);

    /**
     * Credentials provider {@code id} reads from the host itself for this request (see
     * {@link AgentProvider#hostCredentials}); empty for built-in defaults and unknown ids.
     */
    default Map<String, String> hostCredentials(String id, ProviderRequest request) {
        return Map.of();
    }

    /** Bound services win their id; the built-in defaults fill in claude, codex and gemini. */
    static ProviderCatalog of(Map<String, AgentProvider> services) {
        Map<String, AgentProvider> copy = new LinkedHashMap<>(services);
        ProviderCatalog builtin = new BuiltinProviders();
        return new ProviderCatalog() {
            @Override
            public Set<String> ids() {
                Set<String> all = new TreeSet<>(builtin.ids());
                all.addAll(copy.keySet());
                return all;
            }

            @Override
            public Setup setup(String id, ProviderRequest request) {
                AgentProvider p = copy.get(id);
                if (p != null) {
                    return new Setup("service", p.setup(request));
                }
                return builtin.setup(id, request);
            }

            @Override
            public Map<String, String> hostCredentials(String id, ProviderRequest request) {
                AgentProvider p = copy.get(id);
                return p == null ? Map.of() : p.hostCredentials(request);
            }
        };
    }

    /** Only the built-in defaults (no services bound). */
    static ProviderCatalog builtin() {
        return of(Map.of());
    }
}
