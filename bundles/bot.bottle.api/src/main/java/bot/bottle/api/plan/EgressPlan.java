package bot.bottle.api.plan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The egress proxy's configuration for one bottle.
 *
 * @param log    {@code off}, {@code blocks} or {@code full}
 * @param routes the allowed hosts, one route per host: provider routes first, then the bottle's
 */
public record EgressPlan(String log, List<EgressRoute> routes) {
    public EgressPlan {
        Objects.requireNonNull(log, "log");
        routes = List.copyOf(routes);
    }

    /**
     * The egress proxy's {@code routes.yaml} as plain maps, lists, strings and booleans, in file order:
     * top-level {@code log} and {@code routes}; per route {@code host}, {@code auth_scheme} +
     * {@code token_env}, {@code matches}, {@code git.fetch}, {@code dlp}, {@code outbound_on_match}. The
     * one mapping from the plan to that schema: each writer only serialises it (YAML on the host, JSON,
     * which is YAML too, in the backend).
     *
     * @since 1.1
     */
    public Map<String, Object> routesFile() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("log", log);
        List<Object> out = new ArrayList<>();
        for (EgressRoute r : routes) {
            out.add(route(r));
        }
        root.put("routes", out);
        return root;
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
            Map<String, Object> git = new LinkedHashMap<>();
            git.put("fetch", Boolean.TRUE);
            m.put("git", git);
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
