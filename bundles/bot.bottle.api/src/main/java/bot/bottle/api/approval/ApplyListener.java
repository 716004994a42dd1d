package bot.bottle.api.approval;

import java.nio.file.Path;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Told after an approved change was written to a bottle's state directory, so that a backend can nudge
 * the running sidecar (for example send it SIGHUP) instead of waiting for its file poll.
 *
 * <p>Best effort: the egress proxy also notices the changed file by itself, so a listener that is
 * absent, slow or throws delays a change, it never loses it. Called on the deciding thread after the
 * file is durable; return quickly.
 */
@ConsumerType
public interface ApplyListener {

    /**
     * @param bottle the bottle slug
     * @param tool   the proposal kind ({@code allow}, {@code egress-block}, {@code capability-block})
     * @param file   the file written ({@code egress/routes.yaml} or {@code next/Dockerfile})
     */
    void applied(String bottle, String tool, Path file);
}
