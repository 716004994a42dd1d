/** Bottle backends: run a resolved bottle plan on an isolation technology. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package bot.bottle.api.backend;
