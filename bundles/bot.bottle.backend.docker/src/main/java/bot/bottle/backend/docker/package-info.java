/** bot-bottle Docker backend (implementation, exports nothing). */
package bot.bottle.backend.docker;
