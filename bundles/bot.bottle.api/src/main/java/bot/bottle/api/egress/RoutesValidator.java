package bot.bottle.api.egress;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Validates a {@code routes.yaml} text with the same parser the egress proxy loads it with, so that a
 * proposal (supervise {@code allow} / {@code egress-block}) can never queue or apply a file the proxy
 * would refuse. Implemented by the {@code bot.bottle.egress} bundle.
 */
@ProviderType
public interface RoutesValidator {

    /**
     * Parses and validates the text.
     *
     * @return the canonical list of hosts the file allows, in file order
     * @throws IllegalArgumentException with a one-line message naming the key path on any error
     */
    java.util.List<String> validate(String routesYaml);
}
