/** bot-bottle Docker backend: the {@code BottleBackend} service and its Gogo commands (exports nothing). */
package bot.bottle.backend.docker;
