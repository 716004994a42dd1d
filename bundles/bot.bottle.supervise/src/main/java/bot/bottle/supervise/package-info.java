/** bot-bottle supervise (implementation, exports nothing). */
package bot.bottle.supervise;
