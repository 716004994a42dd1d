package bot.bottle.manifest.core;

import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import bot.bottle.api.plan.BottlePlan;
import bot.bottle.api.plan.EgressRoute;
import bot.bottle.api.plan.HeaderMatch;
import bot.bottle.api.plan.MatchRule;
import bot.bottle.api.plan.Mount;
import bot.bottle.api.plan.PathMatch;

/**
 * The plan as JSON (docs/manifest.md, "Plan JSON"). The tree is built explicitly, key by key, so the
 * output order and names are a stable contract that does not follow Java field names or reflection.
 */
public final class PlanJson {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT);
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private PlanJson() {
    }

    /** Pretty-printed JSON with a trailing newline. */
    public static String write(BottlePlan p) {
        try {
            return MAPPER.writeValueAsString(tree(p)) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("plan serialisation failed", e);
        }
    }

    public static ObjectNode tree(BottlePlan p) {
        ObjectNode o = F.objectNode();
        o.put("slug", p.slug());
        o.put("agent", p.agent());
        o.put("bottle", p.bottle());
        o.set("sources", strings(p.sources()));
        ObjectNode prov = o.putObject("provider");
        prov.put("id", p.provider().id());
        prov.put("source", p.provider().source());
        prov.put("auth_token_ref", p.provider().authTokenRef());
        prov.put("forward_host_credentials", p.provider().forwardHostCredentials());
        ObjectNode img = o.putObject("image");
        img.put("kind", p.image().kind());
        img.put("dockerfile", p.image().dockerfile());
        img.put("recipe", p.image().recipe());
        img.put("tag", p.image().tag());
        ObjectNode net = o.putObject("networks");
        net.put("internal", p.networks().internal());
        net.put("egress", p.networks().egress());
        ObjectNode env = o.putObject("env");
        p.env().forEach(env::put);
        ArrayNode mounts = o.putArray("mounts");
        for (Mount m : p.mounts()) {
            ObjectNode mo = mounts.addObject();
            mo.put("source", m.source());
            mo.put("target", m.target());
            mo.put("read_only", m.readOnly());
        }
        ObjectNode eg = o.putObject("egress");
        eg.put("log", p.egress().log());
        ArrayNode routes = eg.putArray("routes");
        for (EgressRoute r : p.egress().routes()) {
            routes.add(route(r));
        }
        ArrayNode slots = o.putArray("token_slots");
        p.tokenSlots().forEach(t -> slots.addObject().put("slot", t.slot()).put("token_ref", t.tokenRef()));
        ArrayNode repos = o.putArray("git_repos");
        p.gitRepos().forEach(g -> repos.addObject().put("name", g.name()).put("upstream", g.upstream())
                .put("ssh_key", g.sshKey()).put("known_hosts", g.knownHosts()));
        if (p.gitUser() == null) {
            o.putNull("git_user");
        } else {
            o.putObject("git_user").put("name", p.gitUser().name()).put("email", p.gitUser().email());
        }
        o.put("supervise", p.supervise());
        o.putObject("canary").put("agent_env", p.canary().agentEnv()).put("sidecar_env", p.canary().sidecarEnv());
        o.set("skills", strings(p.skills()));
        o.put("prompt", p.prompt());
        o.set("setup_commands", strings(p.setupCommands()));
        o.set("command", strings(p.command()));
        o.set("warnings", strings(p.warnings()));
        return o;
    }

    /** A route in the same shape as routes.yaml, plus {@code origin}. */
    static ObjectNode route(EgressRoute r) {
        ObjectNode o = F.objectNode();
        o.put("host", r.host());
        o.put("origin", r.origin());
        if (!r.authScheme().isEmpty()) {
            o.put("auth_scheme", r.authScheme());
            o.put("token_env", r.tokenEnv());
        }
        if (!r.matches().isEmpty()) {
            ArrayNode ms = o.putArray("matches");
            for (MatchRule m : r.matches()) {
                ObjectNode mo = ms.addObject();
                if (!m.paths().isEmpty()) {
                    ArrayNode ps = mo.putArray("paths");
                    for (PathMatch pm : m.paths()) {
                        ps.addObject().put("type", pm.type()).put("value", pm.value());
                    }
                }
                if (!m.methods().isEmpty()) {
                    mo.set("methods", strings(m.methods()));
                }
                if (!m.headers().isEmpty()) {
                    ArrayNode hs = mo.putArray("headers");
                    for (HeaderMatch h : m.headers()) {
                        hs.addObject().put("name", h.name()).put("value", h.value()).put("type", h.type());
                    }
                }
            }
        }
        if (r.gitFetch()) {
            o.putObject("git").put("fetch", true);
        }
        if (r.outboundDetectors() != null || r.inboundDetectors() != null) {
            ObjectNode d = o.putObject("dlp");
            detectors(d, "outbound_detectors", r.outboundDetectors());
            detectors(d, "inbound_detectors", r.inboundDetectors());
        }
        o.put("outbound_on_match", r.outboundOnMatch());
        return o;
    }

    private static void detectors(ObjectNode d, String key, List<String> v) {
        if (v == null) {
            return;
        }
        if (v.isEmpty()) {
            d.put(key, false);
        } else {
            d.set(key, strings(v));
        }
    }

    private static ArrayNode strings(List<String> l) {
        ArrayNode a = F.arrayNode();
        l.forEach(a::add);
        return a;
    }
}
