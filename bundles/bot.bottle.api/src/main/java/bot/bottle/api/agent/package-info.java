/** Agent providers: what an agent CLI needs inside a bottle. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package bot.bottle.api.agent;
