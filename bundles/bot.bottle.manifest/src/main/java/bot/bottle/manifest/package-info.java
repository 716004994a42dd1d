/** bot-bottle manifest (implementation, exports nothing). */
package bot.bottle.manifest;
