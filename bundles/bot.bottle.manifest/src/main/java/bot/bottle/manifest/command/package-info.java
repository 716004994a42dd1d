/**
 * The {@code bottle} Gogo commands: {@link bot.bottle.manifest.command.BottleCommands} is the thin DS
 * layer; {@link bot.bottle.manifest.command.ManifestCommands} does the work in plain Java so tests call
 * it directly.
 */
package bot.bottle.manifest.command;
