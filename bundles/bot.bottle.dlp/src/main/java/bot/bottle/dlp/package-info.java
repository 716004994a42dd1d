/** bot-bottle dlp (implementation, exports nothing). */
package bot.bottle.dlp;
