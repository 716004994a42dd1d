/** bot-bottle demo (implementation, exports nothing). */
package bot.bottle.demo;
