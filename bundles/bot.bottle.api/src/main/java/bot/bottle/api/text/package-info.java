/**
 * Text primitives shared by the proxy, the DLP engine and detectors: a multi-literal search that finds any
 * of a set of byte strings in one vectorised pass.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package bot.bottle.api.text;
