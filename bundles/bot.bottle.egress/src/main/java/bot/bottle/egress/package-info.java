/** bot-bottle egress (implementation, exports nothing). */
package bot.bottle.egress;
