package bot.bottle.manifest.core;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import bot.bottle.manifest.core.Specs.Val;

/**
 * Merges a bottle over its base (docs/manifest.md, "extends"): scalars override; agent_provider merges
 * field by field; env and git.repos merge by name (a child entry replaces the base's entry of that
 * name whole); skills append, dropping duplicates; routes merge by host (a child route replaces the
 * base route of its host whole, in place; new hosts append); git_user is replaced whole.
 */
final class Composer {
    private Composer() {
    }

    static Specs.Bottle merge(Specs.Bottle base, Specs.Bottle child) {
        Specs.Provider bp = base.provider();
        Specs.Provider cp = child.provider();
        Specs.Provider provider = new Specs.Provider(
                or(cp.template(), bp.template()),
                or(cp.authToken(), bp.authToken()),
                or(cp.dockerfile(), bp.dockerfile()),
                or(cp.forwardHostCredentials(), bp.forwardHostCredentials()));

        Map<String, Val<String>> env = new LinkedHashMap<>(base.env());
        env.putAll(child.env());

        List<Val<String>> skills = new ArrayList<>(base.skills());
        for (Val<String> s : child.skills()) {
            if (skills.stream().noneMatch(x -> x.value().equals(s.value()))) {
                skills.add(s);
            }
        }

        Map<String, Specs.GitRepo> repos = new LinkedHashMap<>(base.repos());
        repos.putAll(child.repos());

        List<Specs.Route> routes = new ArrayList<>(base.routes());
        for (Specs.Route r : child.routes()) {
            int at = -1;
            for (int i = 0; i < routes.size(); i++) {
                if (routes.get(i).host().equals(r.host())) {
                    at = i;
                }
            }
            if (at >= 0) {
                routes.set(at, r);
            } else {
                routes.add(r);
            }
        }

        return new Specs.Bottle(child.name(), child.file(), child.extendsNames(), provider, env, skills,
                child.gitUser() != null ? child.gitUser() : base.gitUser(), repos,
                or(child.log(), base.log()), routes, or(child.supervise(), base.supervise()),
                child.body());
    }

    private static <T> T or(T a, T b) {
        return a != null ? a : b;
    }
}
