package bot.bottle.approval.ssh;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import bot.bottle.api.egress.RoutesValidator;

/**
 * Stand-in for the egress bundle's validator (written elsewhere): parses YAML, requires a top-level
 * {@code routes:} list whose entries each have a string {@code host}, and refuses an auth scheme
 * without its token_env, like the seeds' parser.
 */
public final class TestRoutesValidator implements RoutesValidator {
    @Override
    public List<String> validate(String routesYaml) {
        Object doc;
        try {
            doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(routesYaml);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not valid YAML");
        }
        if (!(doc instanceof Map<?, ?> m) || !m.containsKey("routes")) {
            throw new IllegalArgumentException("routes: missing");
        }
        if (!(m.get("routes") instanceof List<?> routes)) {
            throw new IllegalArgumentException("routes: must be a list");
        }
        List<String> hosts = new ArrayList<>();
        for (int i = 0; i < routes.size(); i++) {
            if (!(routes.get(i) instanceof Map<?, ?> r) || !(r.get("host") instanceof String h)) {
                throw new IllegalArgumentException("routes[" + i + "].host: missing");
            }
            if (r.containsKey("auth_scheme") != r.containsKey("token_env")) {
                throw new IllegalArgumentException("routes[" + i + "]: auth_scheme and token_env go together");
            }
            hosts.add(h);
        }
        return hosts;
    }
}
