package bot.bottle.backend.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import bot.bottle.backend.docker.core.BuildContext;
import bot.bottle.backend.docker.core.DockerEngine;
import bot.bottle.backend.docker.core.EngineApi;
import bot.bottle.backend.docker.core.Images;
import bot.bottle.backend.docker.core.Names;

/**
 * A rebuilt image (changed recipe, same tag) replaces the old one: the old image is removed unless
 * something still uses it, so upgrades do not pile up untagged images. Against the real engine.
 */
class ImageReplacementTest {
    private static final String TAG = "bot-bottle-test-replace:latest";
    private final DockerEngine engine = new DockerEngine(System.getenv("DOCKER_HOST"), "runc");
    private final List<String> cleanup = new ArrayList<>();

    @AfterEach
    void removeLeftovers() {
        for (String id : cleanup) {
            try {
                engine.api().json("DELETE", EngineApi.query("/containers/" + id, "force", "1"), null);
            } catch (RuntimeException e) {
                // gone
            }
        }
        try {
            engine.api().json("DELETE", EngineApi.query("/images/" + TAG, "force", "1"), null);
        } catch (RuntimeException e) {
            // gone
        }
    }

    private static BuildContext recipe(String marker) {
        return new BuildContext().add("Dockerfile", "ARG BASE=bot-bottle/base:bookworm\nFROM ${BASE}\n"
                + "RUN echo " + marker + " > /marker\n");
    }

    private boolean exists(String id) {
        try {
            engine.api().json("GET", "/images/" + id + "/json", null);
            return true;
        } catch (EngineApi.NotFound e) {
            return false;
        }
    }

    @Test
    void aRebuiltImageReplacesTheOldOneUnlessAContainerUsesIt() {
        assumeTrue(engine.unreachableReason() == null, "no Docker engine: " + engine.unreachableReason());
        Images images = new Images(engine, null, new PrintStream(System.err, true), null);
        String one = images.ensure(TAG, recipe("one-" + System.nanoTime()), "Dockerfile",
                Names.labels(null, Names.ROLE_AGENT_IMAGE));
        String two = images.ensure(TAG, recipe("two-" + System.nanoTime()), "Dockerfile",
                Names.labels(null, Names.ROLE_AGENT_IMAGE));
        assertNotEquals(one, two);
        assertEquals(false, exists(one), "the replaced image is removed");
        assertEquals(true, exists(two));

        // a container of the current image keeps it through the next rebuild
        ObjectNode c = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("Image", two);
        c.putArray("Cmd").add("true");
        String container = engine.api().json("POST", "/containers/create", c).path("Id").asText();
        cleanup.add(container);
        String three = images.ensure(TAG, recipe("three-" + System.nanoTime()), "Dockerfile",
                Names.labels(null, Names.ROLE_AGENT_IMAGE));
        assertNotEquals(two, three);
        assertEquals(true, exists(two), "an image a container uses stays");
        assertThrows(EngineApi.NotFound.class, () -> engine.api().json("GET", "/images/" + one + "/json", null));
        engine.api().json("DELETE", EngineApi.query("/containers/" + container, "force", "1"), null);
        cleanup.clear();
        engine.api().json("DELETE", "/images/" + two, null); // untagged and unused now: the test's own cleanup
    }
}
