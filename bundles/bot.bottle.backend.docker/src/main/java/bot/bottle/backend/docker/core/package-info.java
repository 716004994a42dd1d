/**
 * The Docker backend's core as plain Java (no OSGi): container topology, images, lifecycle. The
 * component and commands are thin layers over it, so tests drive it directly.
 */
package bot.bottle.backend.docker.core;
