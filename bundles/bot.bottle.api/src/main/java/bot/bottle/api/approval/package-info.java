/** Approval channels: show pending supervise proposals to an operator and carry back decisions. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package bot.bottle.api.approval;
