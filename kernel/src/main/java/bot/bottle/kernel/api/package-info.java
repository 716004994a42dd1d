/**
 * Kernel-provided services bundles may use. Exported by the system bundle (see {@code Kernel}); it is
 * the only package the kernel exports, so that the framework stays the only trusted code outside
 * bundles.
 */
package bot.bottle.kernel.api;
