package bot.bottle.egress.routes;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import bot.bottle.egress.routes.RoutesConfig.Detectors;
import bot.bottle.egress.routes.RoutesConfig.HeaderMatch;
import bot.bottle.egress.routes.RoutesConfig.MatchEntry;
import bot.bottle.egress.routes.RoutesConfig.MatchType;
import bot.bottle.egress.routes.RoutesConfig.PathMatch;
import bot.bottle.egress.routes.RoutesConfig.Route;

/**
 * Routes as YAML-schema-compatible maps (the seeds' {@code route_to_yaml_dict}): the same key names the
 * parser accepts, defaults omitted, so the output can be pasted back into an {@code allow} or
 * {@code egress-block} proposal. A token value is never part of a route, only its variable name.
 */
public final class RoutesJson {
    private RoutesJson() {
    }

    /** {@code {"routes":[...]}} as served by {@code http://_egress.local/allowlist}. */
    public static String allowlist(RoutesConfig config) {
        List<Object> routes = new ArrayList<>();
        for (Route r : config.routes()) {
            routes.add(toYamlMap(r));
        }
        Map<String, Object> top = new LinkedHashMap<>();
        top.put("routes", routes);
        return Json.write(top);
    }

    public static Map<String, Object> toYamlMap(Route r) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("host", r.host());
        if (r.hasAuth()) {
            d.put("auth_scheme", r.authScheme().wire());
            d.put("token_env", r.tokenEnv());
        }
        if (!r.matches().isEmpty()) {
            List<Object> ms = new ArrayList<>();
            for (MatchEntry m : r.matches()) {
                ms.add(entry(m));
            }
            d.put("matches", ms);
        }
        if (r.gitFetch()) {
            d.put("git", Map.of("fetch", true));
        }
        Map<String, Object> dlp = new LinkedHashMap<>();
        detectors(dlp, "outbound_detectors", r.outbound());
        detectors(dlp, "inbound_detectors", r.inbound());
        if (!dlp.isEmpty()) {
            d.put("dlp", dlp);
        }
        if (r.onMatch() != null) {
            d.put("outbound_on_match", r.onMatch().yaml());
        }
        return d;
    }

    private static void detectors(Map<String, Object> dlp, String key, Detectors d) {
        switch (d.mode()) {
            case OFF -> dlp.put(key, false);
            case LIST -> dlp.put(key, d.ids());
            default -> { }
        }
    }

    private static Map<String, Object> entry(MatchEntry m) {
        Map<String, Object> d = new LinkedHashMap<>();
        if (!m.paths().isEmpty()) {
            List<Object> ps = new ArrayList<>();
            for (PathMatch p : m.paths()) {
                Map<String, Object> pd = new LinkedHashMap<>();
                if (p.type() != MatchType.PREFIX) {
                    pd.put("type", p.type().name().toLowerCase(java.util.Locale.ROOT));
                }
                pd.put("value", p.value());
                ps.add(pd);
            }
            d.put("paths", ps);
        }
        if (!m.methods().isEmpty()) {
            d.put("methods", m.methods());
        }
        if (!m.headers().isEmpty()) {
            List<Object> hs = new ArrayList<>();
            for (HeaderMatch h : m.headers()) {
                Map<String, Object> hd = new LinkedHashMap<>();
                hd.put("name", h.name());
                hd.put("value", h.value());
                if (h.type() != MatchType.EXACT) {
                    hd.put("type", h.type().name().toLowerCase(java.util.Locale.ROOT));
                }
                hs.add(hd);
            }
            d.put("headers", hs);
        }
        return d;
    }
}
