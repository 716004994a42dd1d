package bot.bottle.egress.routes;

import java.util.List;

import org.osgi.service.component.annotations.Component;

import bot.bottle.api.egress.RoutesValidator;

/**
 * The {@link RoutesValidator} service: the proxy's own parser, so a supervise proposal can never queue
 * or apply a routes file the proxy would refuse.
 */
@Component(service = RoutesValidator.class)
public final class RoutesValidatorImpl implements RoutesValidator {

    @Override
    public List<String> validate(String routesYaml) {
        return RoutesParser.parse(routesYaml).routes().stream().map(RoutesConfig.Route::host).toList();
    }
}
