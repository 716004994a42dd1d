/**
 * Bottle backends: run a resolved bottle plan on an isolation technology.
 *
 * <p>1.2: {@link bot.bottle.api.backend.BottleBackend#run(bot.bottle.api.plan.BottlePlan, java.util.Map)}
 * takes the host credentials a provider read itself (Codex's forwarded login).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package bot.bottle.api.backend;
