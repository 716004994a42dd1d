package bot.bottle.gitgate.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir
    Path tmp;

    private Path write(String text) throws IOException {
        Path f = tmp.resolve("gitgate.yaml");
        Files.writeString(f, text);
        return f;
    }

    @Test
    void fullYamlConfig() throws Exception {
        GateConfig c = ConfigLoader.load(write("""
                listen: 127.0.0.1:9420
                state: state/dev
                supervise: {timeout_seconds: 7}
                scan: {detectors: [token_patterns], known_secret_env: [GITHUB_TOKEN], gitleaks: auto, timeout_seconds: 9}
                repos:
                  app:
                    upstream: ssh://git@github.com/acme/app.git
                    key: creds/key
                    known_hosts: creds/known_hosts
                    default_branch: trunk
                    force: never
                  mirror: {upstream: ../mirror.git}
                """));
        assertEquals(9420, c.listen().getPort());
        assertEquals(tmp.resolve("state/dev"), c.state());
        assertEquals("dev", c.slug());
        assertEquals(tmp.resolve("state/dev/supervise/queue"), c.queue());
        assertEquals(Duration.ofSeconds(7), c.allowTimeout());
        assertEquals(Duration.ofSeconds(9), c.limits().timeout());
        assertEquals(GateConfig.GitleaksMode.AUTO, c.gitleaks().mode());
        RepoConfig app = c.repos().get(0);
        assertEquals(tmp.resolve("creds/key"), app.key());
        assertEquals(RepoConfig.ForcePolicy.NEVER, app.force());
        assertEquals("trunk", app.defaultBranch());
        assertTrue(app.ssh());
        assertEquals(tmp.getParent().resolve("mirror.git").toString(), c.repos().get(1).upstream());
    }

    @Test
    void jsonWorksAndSuperviseCanBeOff() throws Exception {
        GateConfig c = ConfigLoader.load(write("{\"state\": \"/s/dev\", \"supervise\": {\"queue\": false},"
                + " \"repos\": {\"a\": {\"upstream\": \"/srv/a.git\"}}}"));
        assertNull(c.queue());
    }

    @Test
    void mistakesAreNamed() throws Exception {
        for (String[] bad : new String[][] {
                {"state: /s\nrepos: {a: {upstream: /x}}\nlisten_port: 1\n", "unknown key 'listen_port'"},
                {"repos: {a: {upstream: /x}}\n", "'state' is required"},
                {"state: /s\nrepos: {a: {upstream: /x, keys: k}}\n", "unknown key 'repos.a.keys'"},
                {"state: /s\nrepos: {a: {upstream: 'ssh://h/x'}}\n", "needs a key and a known_hosts"},
                {"state: /s\nrepos: {a: {upstream: /x, force: always}}\n", "force must be"},
                {"state: /s\nrepos: {a: {upstream: /x}}\nsupervise: {timeout_seconds: '5'}\n", "supervise.timeout_seconds"},
                {"state: /s\nstate: /t\nrepos: {a: {upstream: /x}}\n", "not valid YAML"},
                {"state: /s\nrepos: {}\n", "no repos"}}) {
            IOException e = assertThrows(IOException.class, () -> ConfigLoader.load(write(bad[0])), bad[0]);
            assertTrue(e.getMessage().contains(bad[1]) && e.getMessage().contains("gitgate.yaml"), e.getMessage());
        }
    }
}
