package bot.bottle.backend.docker.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import bot.bottle.api.plan.EgressPlan;
import bot.bottle.api.plan.EgressRoute;
import bot.bottle.api.plan.HeaderMatch;
import bot.bottle.api.plan.MatchRule;
import bot.bottle.api.plan.PathMatch;

/**
 * Renders the egress proxy's {@code routes.yaml} from a plan, in the same shape as the manifest
 * bundle's renderer ({@code log}, {@code routes}: {@code host}, {@code auth_scheme} + {@code token_env},
 * {@code matches}, {@code git.fetch}, {@code dlp}, {@code outbound_on_match}). Written as JSON, which
 * is YAML too: the backend needs no YAML emitter, and every string is quoted, so no value can be
 * re-typed by a YAML reader ({@code off}, {@code no}, {@code 1e3}).
 */
public final class RoutesFile {
    private RoutesFile() {
    }

    public static String render(EgressPlan egress) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("log", egress.log());
        List<Object> routes = new ArrayList<>();
        for (EgressRoute r : egress.routes()) {
            routes.add(route(r));
        }
        root.put("routes", routes);
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("routes serialisation failed", e);
        }
    }

    private static Map<String, Object> route(EgressRoute r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("host", r.host());
        if (!r.authScheme().isEmpty()) {
            m.put("auth_scheme", r.authScheme());
            m.put("token_env", r.tokenEnv());
        }
        if (!r.matches().isEmpty()) {
            List<Object> ms = new ArrayList<>();
            for (MatchRule rule : r.matches()) {
                Map<String, Object> mo = new LinkedHashMap<>();
                if (!rule.paths().isEmpty()) {
                    List<Object> ps = new ArrayList<>();
                    for (PathMatch p : rule.paths()) {
                        ps.add(Map.of("type", p.type(), "value", p.value()));
                    }
                    mo.put("paths", ps);
                }
                if (!rule.methods().isEmpty()) {
                    mo.put("methods", new ArrayList<>(rule.methods()));
                }
                if (!rule.headers().isEmpty()) {
                    List<Object> hs = new ArrayList<>();
                    for (HeaderMatch h : rule.headers()) {
                        Map<String, Object> ho = new LinkedHashMap<>();
                        ho.put("name", h.name());
                        ho.put("value", h.value());
                        ho.put("type", h.type());
                        hs.add(ho);
                    }
                    mo.put("headers", hs);
                }
                ms.add(mo);
            }
            m.put("matches", ms);
        }
        if (r.gitFetch()) {
            m.put("git", Map.of("fetch", true));
        }
        if (r.outboundDetectors() != null || r.inboundDetectors() != null) {
            Map<String, Object> d = new LinkedHashMap<>();
            if (r.outboundDetectors() != null) {
                d.put("outbound_detectors", r.outboundDetectors().isEmpty() ? Boolean.FALSE : r.outboundDetectors());
            }
            if (r.inboundDetectors() != null) {
                d.put("inbound_detectors", r.inboundDetectors().isEmpty() ? Boolean.FALSE : r.inboundDetectors());
            }
            m.put("dlp", d);
        }
        m.put("outbound_on_match", r.outboundOnMatch());
        return m;
    }
}
