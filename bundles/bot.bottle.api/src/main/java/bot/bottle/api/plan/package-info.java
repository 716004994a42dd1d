/** The bottle plan: the resolved, immutable description of one bottle that every backend executes. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package bot.bottle.api.plan;
