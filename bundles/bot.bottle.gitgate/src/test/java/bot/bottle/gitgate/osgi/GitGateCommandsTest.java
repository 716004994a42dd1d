package bot.bottle.gitgate.osgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

import bot.bottle.gitgate.gate.GateFailure;

class GitGateCommandsTest {

    @Test
    void repeatedRepoOptions() {
        assertEquals(List.of("a=/x", "b=ssh://h/y", "c=/z"),
                GitGateCommands.repoSpecs(new String[] {"--repo", "a=/x", "--repo=b=ssh://h/y", "c=/z"}));
        assertEquals(2, assertThrows(GateFailure.class,
                () -> GitGateCommands.repoSpecs(new String[] {"--repo"})).exitStatus());
        assertEquals(2, assertThrows(GateFailure.class,
                () -> GitGateCommands.repoSpecs(new String[] {"--bogus", "x"})).exitStatus());
    }

    @Test
    void scanWithoutEngineFailsClearly() {
        GateFailure f = assertThrows(GateFailure.class, () -> new GitGateCommands().scan("text", "/tmp"));
        assertEquals(3, f.exitStatus());
    }
}
