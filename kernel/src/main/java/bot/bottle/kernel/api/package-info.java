/** Kernel-provided services bundles may use (exported by the system bundle). */
package bot.bottle.kernel.api;
