/** Egress services other bundles use: validating a proposed routes file, making a bottle's CA ahead of the proxy. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package bot.bottle.api.egress;
