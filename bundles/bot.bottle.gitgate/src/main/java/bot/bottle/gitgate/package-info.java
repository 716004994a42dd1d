/** bot-bottle gitgate (implementation, exports nothing). */
package bot.bottle.gitgate;
