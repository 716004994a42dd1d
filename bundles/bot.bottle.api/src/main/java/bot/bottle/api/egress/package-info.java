/** Egress services other bundles use: validating a proposed routes file. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package bot.bottle.api.egress;
