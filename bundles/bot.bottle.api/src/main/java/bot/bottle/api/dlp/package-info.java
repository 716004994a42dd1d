/** Data-loss-prevention detectors: scan request, response and push content and report findings as spans. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package bot.bottle.api.dlp;
