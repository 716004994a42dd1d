package bot.bottle.backend.docker.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import bot.bottle.api.plan.EgressPlan;

/**
 * Writes the egress proxy's {@code routes.yaml} from a plan ({@link EgressPlan#routesFile()} holds the
 * mapping, shared with the manifest bundle's writer) as JSON, which is YAML too: the backend needs no
 * YAML emitter, and every string is quoted, so no value can be re-typed by a YAML reader ({@code off},
 * {@code no}, {@code 1e3}).
 */
public final class RoutesFile {
    private RoutesFile() {
    }

    public static String render(EgressPlan egress) {
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(egress.routesFile())
                    + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("routes serialisation failed", e);
        }
    }
}
