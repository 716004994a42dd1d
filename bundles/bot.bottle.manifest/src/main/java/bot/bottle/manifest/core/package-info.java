/**
 * The manifest core: plain Java, no OSGi. Parses agent and bottle files (markdown with YAML
 * frontmatter) safely, validates them against the schema, composes {@code extends:} chains, enforces
 * the trust boundary and resolves a {@link bot.bottle.api.plan.BottlePlan}. Private to the bundle.
 */
package bot.bottle.manifest.core;
