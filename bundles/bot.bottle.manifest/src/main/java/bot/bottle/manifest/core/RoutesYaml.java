package bot.bottle.manifest.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

import bot.bottle.api.plan.EgressPlan;
import bot.bottle.api.plan.EgressRoute;
import bot.bottle.api.plan.HeaderMatch;
import bot.bottle.api.plan.MatchRule;
import bot.bottle.api.plan.PathMatch;

/**
 * Renders the egress sidecar's {@code routes.yaml} from a plan: top-level {@code log} and
 * {@code routes}; per route {@code host}, {@code auth_scheme} + {@code token_env},
 * {@code matches}, {@code git.fetch}, {@code dlp} and {@code outbound_on_match}. Written with
 * SnakeYAML's emitter, so every string is quoted exactly when YAML needs it (e.g. {@code 'off'}).
 */
public final class RoutesYaml {
    private RoutesYaml() {
    }

    public static String render(EgressPlan egress) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("log", egress.log());
        List<Object> routes = new ArrayList<>();
        for (EgressRoute r : egress.routes()) {
            routes.add(route(r));
        }
        root.put("routes", routes);
        DumperOptions o = new DumperOptions();
        o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        o.setIndent(2);
        o.setIndicatorIndent(2);
        o.setIndentWithIndicator(true);
        o.setWidth(1000);
        o.setSplitLines(false);
        return new Yaml(o).dump(root);
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
                        Map<String, Object> po = new LinkedHashMap<>();
                        po.put("type", p.type());
                        po.put("value", p.value());
                        ps.add(po);
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
                d.put("outbound_detectors", r.outboundDetectors().isEmpty() ? Boolean.FALSE
                        : new ArrayList<>(r.outboundDetectors()));
            }
            if (r.inboundDetectors() != null) {
                d.put("inbound_detectors", r.inboundDetectors().isEmpty() ? Boolean.FALSE
                        : new ArrayList<>(r.inboundDetectors()));
            }
            m.put("dlp", d);
        }
        m.put("outbound_on_match", r.outboundOnMatch());
        return m;
    }
}
