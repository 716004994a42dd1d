package bot.bottle.backend.docker.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import bot.bottle.api.plan.BottlePlan;
import bot.bottle.api.plan.GitRepo;
import bot.bottle.gitgate.gate.ConfigLoader;
import bot.bottle.gitgate.gate.GateConfig;
import bot.bottle.gitgate.gate.RepoConfig;

/** The config the backend writes for the sidecar's git gate is what the gate's own loader accepts. */
class GitGateConfigTest {

    @Test
    void renderedConfigLoadsInTheGate(@TempDir Path dir) throws Exception {
        BottlePlan base = TopologyTest.plan();
        BottlePlan plan = BottlePlan.builder().slug(base.slug()).agent(base.agent()).bottle(base.bottle())
                .provider(base.provider()).image(base.image()).egress(base.egress())
                .gitRepos(List.of(new GitRepo("app", "ssh://git@example.com/me/app.git", "/home/me/.ssh/id",
                        "/home/me/.ssh/known_hosts")))
                .build();
        Path file = Files.writeString(dir.resolve("config.json"), GitGateConfig.render(plan));
        GateConfig c = ConfigLoader.load(file);
        String state = Layout.sidecarState(plan.slug());
        assertEquals(Path.of(state), c.state());
        assertEquals(plan.slug(), c.slug());
        assertEquals(Path.of(state, "supervise", "queue"), c.queue());
        assertEquals(9420, c.listen().getPort());
        RepoConfig app = c.repos().get(0);
        assertEquals("app", app.name());
        assertEquals(Path.of(GitGateConfig.keyPath(plan.gitRepos().get(0))), app.key());
        assertEquals(Path.of(GitGateConfig.knownHostsPath(plan.gitRepos().get(0))), app.knownHosts());
    }

    @Test
    void withoutSuperviseSuppressionsHaveNoQueue(@TempDir Path dir) throws Exception {
        BottlePlan base = TopologyTest.plan();
        BottlePlan plan = BottlePlan.builder().slug(base.slug()).agent(base.agent()).bottle(base.bottle())
                .provider(base.provider()).image(base.image()).egress(base.egress())
                .gitRepos(List.of(new GitRepo("app", "ssh://git@example.com/me/app.git", "/k", "/kh")))
                .supervise(false).build();
        GateConfig c = ConfigLoader.load(Files.writeString(dir.resolve("config.json"), GitGateConfig.render(plan)));
        assertNull(c.queue(), "no supervisor: inline suppressions are refused");
    }
}
