package bot.bottle.manifest.core;

import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

import bot.bottle.api.plan.EgressPlan;

/**
 * Writes the egress sidecar's {@code routes.yaml} from a plan ({@link EgressPlan#routesFile()} holds
 * the mapping) with SnakeYAML's emitter, so every string is quoted exactly when YAML needs it
 * (e.g. {@code 'off'}).
 */
public final class RoutesYaml {
    private RoutesYaml() {
    }

    public static String render(EgressPlan egress) {
        DumperOptions o = new DumperOptions();
        o.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        o.setIndent(2);
        o.setIndicatorIndent(2);
        o.setIndentWithIndicator(true);
        o.setWidth(1000);
        o.setSplitLines(false);
        return new Yaml(o).dump(egress.routesFile());
    }
}
