/**
 * The bottle plan: the resolved, immutable description of one bottle that every backend executes.
 *
 * <p>The manifest bundle builds plans from an agent file, its bottle and the bottle's {@code extends}
 * chain, merged with what the agent provider contributes. A plan never holds a secret: tokens appear
 * only as the name of the host variable that holds them ({@link TokenSlot#tokenRef()}) and the name of
 * the sidecar variable the launcher copies the value into ({@link TokenSlot#slot()}); the canary is a
 * slot name too. Lists and maps in plan records are unmodifiable and in a deterministic order.
 *
 * <p>1.1: {@link bot.bottle.api.plan.EgressPlan#routesFile()}, the one mapping to {@code routes.yaml}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package bot.bottle.api.plan;
