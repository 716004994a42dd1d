/** bot-bottle cli (implementation, exports nothing). */
package bot.bottle.cli;
