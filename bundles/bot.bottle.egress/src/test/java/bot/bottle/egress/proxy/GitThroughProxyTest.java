package bot.bottle.egress.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import bot.bottle.egress.testing.ProxyFixture;
import bot.bottle.egress.testing.ProxyFixture.Run;

/** Real git over HTTPS through the proxy to {@code git http-backend} behind the test HTTPS server. */
class GitThroughProxyTest {
    static final String ROUTES = """
            log: blocks
            routes:
              - host: git.example.test
                git: {fetch: true}
              - host: nogit.example.test
            """;

    @TempDir
    static Path dir;
    static ProxyFixture fx;
    static Map<String, String> env;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(ProxyFixture.has("git"), "git is not installed: skipping the git tests");
        Path root = Files.createDirectories(dir.resolve("gitroot"));
        Path home = Files.createDirectories(dir.resolve("home"));
        env = Map.of("HOME", home.toString(), "GIT_CONFIG_NOSYSTEM", "1", "GIT_TERMINAL_PROMPT", "0",
                "GIT_AUTHOR_NAME", "t", "GIT_AUTHOR_EMAIL", "t@example.test", "GIT_COMMITTER_NAME", "t",
                "GIT_COMMITTER_EMAIL", "t@example.test");
        Path work = dir.resolve("seed");
        git(dir, "init", "-q", "-b", "main", work.toString());
        Files.writeString(work.resolve("README"), "hello through the proxy\n");
        git(work, "add", "README");
        git(work, "commit", "-q", "-m", "first");
        git(dir, "clone", "-q", "--bare", work.toString(), root.resolve("repo.git").toString());
        fx = new ProxyFixture(dir.resolve("fx"), ROUTES, root, HoldDecider.DENY);
    }

    @AfterAll
    static void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    static Run git(Path cwd, String... args) throws Exception {
        return git(cwd, env, args);
    }

    static Run git(Path cwd, Map<String, String> e, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("git", "-C", cwd.toString()));
        cmd.addAll(List.of(args));
        return ProxyFixture.run(cmd, e);
    }

    /** As the agent container is set up: proxy and CA bundle from the environment. */
    Run viaProxy(Path cwd, String... args) throws Exception {
        Map<String, String> e = new java.util.HashMap<>(env);
        e.put("https_proxy", "http://127.0.0.1:" + fx.port());
        e.put("GIT_SSL_CAINFO", fx.caCert().toString());
        List<String> a = new ArrayList<>(List.of("-c", "credential.helper="));
        a.addAll(List.of(args));
        return git(cwd, e, a.toArray(String[]::new));
    }

    String repoUrl(String host) {
        return "https://" + host + ":" + fx.https.port() + "/git/repo.git";
    }

    @Test
    void cloneWorksWhereGitFetchIsAllowedAndPushIsRefused() throws Exception {
        Path out = dir.resolve("clone-ok");
        Run r = viaProxy(dir, "clone", "-q", repoUrl("git.example.test"), out.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals("hello through the proxy\n", Files.readString(out.resolve("README")));

        Files.writeString(out.resolve("README"), "changed\n");
        git(out, "commit", "-q", "-am", "change");
        int before = fx.https.received.size();
        Run push = viaProxy(out, "push", "origin", "main");
        assertNotEquals(0, push.exit());
        assertTrue(push.err().contains("403"), push.err());
        assertTrue(fx.https.received.stream().skip(before).noneMatch(q -> q.uri().contains("receive-pack")),
                "no receive-pack request may reach the upstream");
        assertTrue(fx.logText().contains("\"rule\":\"git-push\""), fx.logText());
    }

    @Test
    void cloneIsRefusedWithoutGitFetch() throws Exception {
        Run r = viaProxy(dir, "clone", "-q", repoUrl("nogit.example.test"), dir.resolve("clone-no").toString());
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("403"), r.err());
        assertFalse(Files.exists(dir.resolve("clone-no").resolve("README")));
    }
}
