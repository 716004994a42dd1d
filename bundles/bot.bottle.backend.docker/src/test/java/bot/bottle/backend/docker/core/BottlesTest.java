package bot.bottle.backend.docker.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;

class BottlesTest {
    @Test
    void statusNamesACutOffAgent() {
        assertEquals("running", Bottles.state(Map.of("agent", "running", "sidecar", "running")));
        assertEquals("sidecar-down", Bottles.state(Map.of("agent", "running", "sidecar", "exited")));
        assertEquals("sidecar-down", Bottles.state(Map.of("agent", "running")));
        assertEquals("created", Bottles.state(Map.of("agent", "created", "sidecar", "running")));
        assertEquals("starting", Bottles.state(Map.of("sidecar", "running")));
        assertEquals("exited", Bottles.state(Map.of("sidecar", "exited")));
        assertEquals("leftover", Bottles.state(Map.of()));
    }
}
