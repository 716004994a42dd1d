package bot.bottle.backend.docker.core;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/** Container, network and image names and the labels the backend puts on everything it creates. */
public final class Names {
    /** Every resource the backend creates carries this label with the value {@link #BACKEND}. */
    public static final String LABEL_BACKEND = "bot-bottle.backend";
    public static final String LABEL_SLUG = "bot-bottle.slug";
    public static final String LABEL_ROLE = "bot-bottle.role";
    /** Images: the hash of the recipe they were built from (build cache key). */
    public static final String LABEL_RECIPE = "bot-bottle.recipe";
    /** Agent containers: the OCI runtime the bottle runs under. */
    public static final String LABEL_RUNTIME = "bot-bottle.runtime";
    public static final String BACKEND = "docker";

    public static final String ROLE_AGENT = "agent";
    public static final String ROLE_SIDECAR = "sidecar";
    public static final String ROLE_INTERNAL = "network-internal";
    public static final String ROLE_EGRESS = "network-egress";
    public static final String ROLE_SNAPSHOT = "snapshot";
    public static final String ROLE_SIDECAR_IMAGE = "sidecar-image";
    public static final String ROLE_AGENT_IMAGE = "agent-image";

    /** Docker's own rule for names, narrowed to lower case so image names work too. */
    private static final Pattern SLUG = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,62}");

    private Names() {
    }

    /** Refuses a slug that cannot name a container, network and image; returns it unchanged. */
    public static String checkSlug(String slug) {
        if (slug == null || !SLUG.matcher(slug).matches()) {
            throw new IllegalArgumentException("bottle slug '" + slug
                    + "' is not usable as a Docker name (lower-case letters, digits, '.', '_', '-'; at most 63)");
        }
        return slug;
    }

    public static String agent(String slug) {
        return "bot-bottle-" + slug + "-agent";
    }

    /** The image built from a bottle's approved capability change. */
    public static String capabilityImage(String slug) {
        return "bot-bottle-agent-capability-" + slug + ":latest";
    }

    public static String sidecar(String slug) {
        return "bot-bottle-" + slug + "-sidecar";
    }

    /** The image {@code commit} writes and {@code resume} starts from. */
    public static String snapshotImage(String slug) {
        return "bot-bottle-snapshot/" + slug + ":latest";
    }

    public static Map<String, String> labels(String slug, String role) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(LABEL_BACKEND, BACKEND);
        if (slug != null) {
            m.put(LABEL_SLUG, slug);
        }
        m.put(LABEL_ROLE, role);
        return m;
    }
}
